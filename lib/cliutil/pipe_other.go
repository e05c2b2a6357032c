//go:build !linux

package cliutil

func growPipes() {}
