//go:build tools

// Package tools pins Alertmanager 0.35 (cmd/alertmanager, cmd/amtool) for meshgate's integration
// tests; build.sh builds the commands from the module cache.
package tools

import (
	_ "github.com/prometheus/alertmanager/cmd/alertmanager"
	_ "github.com/prometheus/alertmanager/cmd/amtool"
)
