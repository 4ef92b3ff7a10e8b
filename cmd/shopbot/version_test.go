package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestWriteVersion(t *testing.T) {
	tests := []struct {
		name string
		info debug.BuildInfo
		want string
	}{
		{"release", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "939cd35c2ee8"}, {Key: "vcs.time", Value: "2026-12-03T06:33:50Z"}, {Key: "vcs.modified", Value: "false"}}},
			"shopbot v1.2.0 (revision 939cd35c2ee8, committed 2026-12-03T06:33:50Z) go1.26.8\n"},
		{"modified checkout", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"}}},
			"shopbot (devel) (revision abc, with uncommitted changes) go1.26.8\n"},
		{"no vcs", debug.BuildInfo{GoVersion: "go1.26.8"}, "shopbot (devel) (no VCS revision: built outside a git checkout, or with go run) go1.26.8\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := writeVersion(&b, &tc.info); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	out, _, err := shopbot(t, nil, "", "version")
	if err != nil || !strings.HasPrefix(out, "shopbot ") || !strings.Contains(out, "go1.") {
		t.Errorf("shopbot version = %q, %v", out, err)
	}
}
