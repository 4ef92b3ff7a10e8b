package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopbot/shopbot/bot/schema"
	"github.com/shopbot/shopbot/bot/shop"
)

func TestBackupAndRestore(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "live.db")
	chatJSON(t, db, "상품 사진이랑 실물 색이 같나요?\n", "--demo", "--user", "bob")
	backup := filepath.Join(t.TempDir(), "backup.db")
	if out, _, err := shopbot(t, nil, "", "backup", "--db", db, backup); err != nil || !strings.Contains(out, "backed up") {
		t.Fatalf("backup: %q, %v", out, err)
	}
	if _, _, err := shopbot(t, nil, "", "backup", "--db", db, backup); err == nil {
		t.Error("backup overwrote an existing file")
	}
	// The copy is a working database with the same data.
	rs := chatJSON(t, "sqlite:"+backup, "/tickets\n", "--as", "owner")
	last := rs[len(rs)-1]
	if last.Kind != "command" || !strings.Contains(last.Text, "실물") {
		t.Errorf("restored database's /tickets = %+v", rs)
	}
	restored, err := schema.Open(context.Background(), "sqlite:"+backup)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	all := func(phone, email string) bool { return true }
	if numbers, err := shop.NewStore(restored).OrderNumbers(context.Background(), all); err != nil || len(numbers) < 200 {
		t.Errorf("restored orders = %d, %v", len(numbers), err)
	}
}

func TestForgetCommand(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "live.db")
	chatJSON(t, db, "주문 1042 어디쯤이에요?\n5678\n", "--demo", "--user", "minji")
	out, _, err := shopbot(t, nil, "", "forget", "--db", db, "--phone", "010-1234-5678")
	if err != nil || !strings.Contains(out, "erased 1 conversation") {
		t.Errorf("forget: %q, %v", out, err)
	}
	if _, _, err := shopbot(t, nil, "", "forget", "--db", db); err == nil {
		t.Error("forget without --phone or --email accepted")
	}
}
