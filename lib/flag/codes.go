// Package flag holds the review rules of focus-flag: each rule adds a stable
// code to a row's x_Flags column so that focus-load can turn flagged rows
// into review items. Flags are not errors; every row passes through.
//
// Rules that look at one row run in the first pass; rules that need the
// whole input (outlier, jump, period majority) are decided between the two
// passes from small aggregates, and applied in the second pass, which reads
// the input again (a regular file) or a spool of it (stdin, pipes).
package flag

import (
	"strings"
)

// Stable flag codes. They are part of the contract with focus-load and with
// sites' review scripts: add new ones, never rename.
const (
	CodeMissingTag     = "missing-tag" // written as missing-tag:KEY (the actual tag key)
	CodeBadTags        = "bad-tags"    // the Tags cell is not a JSON object
	CodeBadEmail       = "bad-email"
	CodeBadAmount      = "bad-amount" // BilledCost, ListCost or ConsumedQuantity is not a number
	CodeNegativeCost   = "negative-cost"
	CodeBilledOverList = "billed-over-list"
	CodeNoListPrice    = "no-list-price"
	CodeDuplicate      = "duplicate"
	CodeOutlier        = "outlier"
	CodeJump           = "jump"
	CodePeriodMismatch = "period-mismatch"
	CodeBadFund        = "bad-fund"
	CodeWatch          = "watch"
)

// Bits of the fixed codes, in the order they are written into x_Flags
// (after the missing-tag codes, which come first in --require-tags order).
const (
	bitBadTags uint32 = 1 << iota
	bitBadEmail
	bitBadAmount
	bitNegativeCost
	bitBilledOverList
	bitNoListPrice
	bitDuplicate
	bitOutlier
	bitJump
	bitPeriodMismatch
	bitBadFund
	bitWatch
	numBits = iota
)

var bitCodes = [numBits]string{
	CodeBadTags, CodeBadEmail, CodeBadAmount, CodeNegativeCost, CodeBilledOverList,
	CodeNoListPrice, CodeDuplicate, CodeOutlier, CodeJump, CodePeriodMismatch,
	CodeBadFund, CodeWatch,
}

// Codes lists the fixed codes in x_Flags order (missing-tag:KEY comes first).
func Codes() []string { return append([]string(nil), bitCodes[:]...) }

// IsOwnCode reports whether code is one focus-flag writes (and so recomputes
// when it reads an x_Flags column from an earlier run).
func IsOwnCode(code string) bool {
	if strings.HasPrefix(code, CodeMissingTag+":") {
		return true
	}
	for _, c := range bitCodes {
		if c == code {
			return true
		}
	}
	return false
}

// SplitFlags splits an x_Flags cell into its codes (empty codes dropped).
func SplitFlags(cell string) []string {
	if cell == "" {
		return nil
	}
	var out []string
	for _, c := range strings.Split(cell, ";") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// foreignCodes keeps the codes of an existing x_Flags cell that focus-flag
// did not write (a site's own review codes): they survive a re-run, ours are
// recomputed.
func foreignCodes(cell string) string {
	codes := SplitFlags(cell)
	kept := codes[:0]
	seen := map[string]bool{}
	for _, c := range codes {
		if !IsOwnCode(c) && !seen[c] {
			seen[c] = true
			kept = append(kept, c)
		}
	}
	return strings.Join(kept, ";")
}

// appendFlags builds the x_Flags cell: foreign codes first (they were there
// before), then missing-tag codes in --require-tags order, then the fixed
// codes in their stable order.
func appendFlags(b []byte, foreign string, missing uint32, missingCodes []string, bits uint32) []byte {
	b = b[:0]
	if foreign != "" {
		b = append(b, foreign...)
	}
	for i, code := range missingCodes {
		if missing&(1<<uint(i)) != 0 {
			if len(b) > 0 {
				b = append(b, ';')
			}
			b = append(b, code...)
		}
	}
	for i := 0; i < numBits; i++ {
		if bits&(1<<uint(i)) != 0 {
			if len(b) > 0 {
				b = append(b, ';')
			}
			b = append(b, bitCodes[i]...)
		}
	}
	return b
}
