package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// version runs `shopbot version`: the module version and the VCS revision
// the binary was built from, as the Go toolchain recorded them.
func (e env) version(args []string) error {
	if len(args) != 0 {
		return usageError{"usage: shopbot version"}
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return fmt.Errorf("version: no build information in this binary")
	}
	return writeVersion(e.stdout, info)
}

// writeVersion prints info as "shopbot VERSION (revision REV[, modified], TIME) GO".
func writeVersion(w io.Writer, info *debug.BuildInfo) error {
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	line := "shopbot " + v
	switch {
	case rev != "":
		line += " (revision " + rev
		if modified {
			line += ", with uncommitted changes"
		}
		if at != "" {
			line += ", committed " + at
		}
		line += ")"
	default:
		line += " (no VCS revision: built outside a git checkout, or with go run)"
	}
	_, err := fmt.Fprintf(w, "%s %s\n", line, info.GoVersion)
	return err
}
