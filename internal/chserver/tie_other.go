//go:build !linux

package chserver

import "syscall"

// tieToParent does nothing where the kernel has no parent-death signal: an
// orphaned server lives on until the next Start recognises it by the owner
// file (owner.go) and stops it.
func tieToParent(*syscall.SysProcAttr) {}
