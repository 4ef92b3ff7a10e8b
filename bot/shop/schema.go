package shop

import (
	"embed"

	"github.com/shopbot/shopbot/bot/schema"
)

//go:embed schema/postgres/*.sql schema/sqlite/*.sql
var schemaFS embed.FS

// Schema is the migrations of the shop's tables: products, orders,
// order_items and shop_meta.
var Schema = schema.Embedded("shop", schemaFS, "schema")
