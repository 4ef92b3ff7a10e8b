package schema

// ParseURL exposes parseURL to the tests.
var ParseURL = parseURL
