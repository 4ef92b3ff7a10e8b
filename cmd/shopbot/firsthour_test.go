package main

import (
	"os"
	"strings"
	"testing"

	"github.com/shopbot/shopbot/bot/dbtest"
)

// TestDemoOwnDatabase: the demo keeps its made-up shop in a file of its
// own, never the real shop's default database, and says where.
func TestDemoOwnDatabase(t *testing.T) {
	t.Chdir(t.TempDir())
	_, errOut, err := shopbot(t, nil, "주문 1042 어디쯤이에요?\n5678\n", "chat", "--demo")
	if err != nil {
		t.Fatalf("chat --demo: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "demo database: shopbot-demo.db") {
		t.Errorf("chat --demo does not say where the demo lives:\n%s", errOut)
	}
	if _, err := os.Stat("shopbot-demo.db"); err != nil {
		t.Errorf("demo database: %v", err)
	}
	if _, err := os.Stat("shopbot.db"); err == nil {
		t.Errorf("the demo wrote into shopbot.db, the real shop's default database")
	}
	// SHOPBOT_DB is the real shop's: the demo does not use it either.
	real := "sqlite:real.db"
	if _, errOut, err := shopbot(t, map[string]string{"SHOPBOT_DB": real}, "", "chat", "--demo"); err != nil {
		t.Fatalf("chat --demo: %v\n%s", err, errOut)
	}
	if _, err := os.Stat("real.db"); err == nil {
		t.Errorf("the demo wrote into SHOPBOT_DB")
	}
}

// TestServeRefusesDemoData: a real serve on a database the demo filled
// stops before anything starts, naming the database and the way out.
func TestServeRefusesDemoData(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine, func(t *testing.T) {
			db := dbtest.URL(t, engine)
			if _, errOut, err := shopbot(t, nil, "", "chat", "--demo", "--db", db); err != nil {
				t.Fatalf("chat --demo: %v\n%s", err, errOut)
			}
			_, _, err := shopbot(t, nil, "", "serve", "--db", db)
			if err == nil {
				t.Fatal("serve on the demo's database started")
			}
			for _, want := range []string{"holds the demo shop", "--allow-demo-data", "delete"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q: want %q", err, want)
				}
			}
			// --allow-demo-data and --demo pass the check.
			ctx := t.Context()
			for _, c := range []common{{db: db, allowDemo: true}, {db: db, demo: true}} {
				st, err := shopbotEnv().open(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				if err := refuseDemoData(ctx, st, c); err != nil {
					t.Errorf("%+v: %v", c, err)
				}
				st.db.Close()
			}
			// A database without the demo passes.
			clean := dbtest.URL(t, engine)
			st, err := shopbotEnv().open(ctx, common{db: clean})
			if err != nil {
				t.Fatal(err)
			}
			defer st.db.Close()
			if err := refuseDemoData(ctx, st, common{db: clean}); err != nil {
				t.Errorf("a real shop's database: %v", err)
			}
		})
	}
}

func shopbotEnv() env {
	return env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: os.Stdout, stderr: os.Stderr}
}
