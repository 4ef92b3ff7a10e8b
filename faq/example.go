package faq

import (
	_ "embed"
	"fmt"
)

//go:embed example.yaml
var exampleYAML []byte

// Example returns the built-in example FAQ file: a Korean online clothing
// shop with English (and some Chinese) answers, a starting point for an owner.
func Example() []byte {
	return append([]byte(nil), exampleYAML...)
}

// ExampleFile returns Example parsed. It panics only if the embedded file is
// invalid, which the tests rule out.
func ExampleFile() *File {
	f, err := Parse("example.yaml", exampleYAML)
	if err != nil {
		panic(fmt.Sprintf("faq: built-in example: %v", err))
	}
	return f
}
