//go:build tools

// Package tools pins Prometheus 3 (cmd/prometheus, cmd/promtool) for meshgate's integration
// tests; build.sh builds the commands from the module cache.
package tools

import (
	_ "github.com/prometheus/prometheus/cmd/prometheus"
	_ "github.com/prometheus/prometheus/cmd/promtool"
)
