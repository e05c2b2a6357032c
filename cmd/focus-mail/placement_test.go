package main

import (
	"testing"

	"github.com/openchargeback/ocb/lib/cliutil/cliutiltest"
)

// Every flag of every command counts before and after the command's name,
// or is refused (issue 29).
func TestFlagPlacement(t *testing.T) { cliutiltest.FlagPlacement(t, newApp) }

// Every setting of every command can come from the config file (issue 29).
func TestSettingsFromFile(t *testing.T) { cliutiltest.SettingsFromFile(t, newApp) }
