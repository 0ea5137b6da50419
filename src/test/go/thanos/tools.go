//go:build tools

// Package tools pins Thanos (cmd/thanos: sidecar and querier) for meshgate's integration tests;
// build.sh builds the command from the module cache.
package tools

import _ "github.com/thanos-io/thanos/cmd/thanos"
