package shop

import (
	"embed"
	"io/fs"

	"github.com/shopbot/shopbot/bot/schema"
)

//go:embed schema/postgres/*.sql schema/sqlite/*.sql
var schemaFS embed.FS

// Schema is the migrations of the shop's tables: products, orders,
// order_items and shop_meta.
var Schema = schema.Set{Name: "shop", FS: mustSub(schemaFS, "schema")}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the directory is embedded above: cannot happen
	}
	return sub
}
