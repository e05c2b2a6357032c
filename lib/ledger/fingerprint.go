package ledger

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
)

// fingerprint identifies a row by its billing-relevant cells, so that the
// same charges are recognised under another source name even when the file
// was re-serialised on the way: focus-validate's normalisation (the cells
// are taken after the same normalisation here), focus-flag's x_Flags and
// any other x_ column (not included), CSV or NDJSON (Tags are compared by
// the values read from them, not as text; decimals by value, "1.50" =
// "1.5"). What is included: period, charge period, costs, quantity and
// unit, service, resource, currency, and the PI, fund and project.
//
// 64 bits of FNV-1a: the chance that two different rows of two 1M-row
// imports collide is about 5e-8.
func fingerprint(period string, v []string, cols columns, c *Charge, am *rowAmounts) uint64 {
	var buf [256]byte
	b := buf[:0]
	add := func(s string) {
		b = append(b, s...)
		b = append(b, 0)
	}
	add(period)
	add(cell(v, cols.chargeStart))
	add(cell(v, cols.chargeEnd))
	b = append(am.billed.appendString(b), 0)
	b = append(am.list.appendString(b), 0)
	if am.hasQty {
		b = am.qty.appendString(b)
	}
	b = append(b, 0)
	add(c.Unit)
	add(c.ServiceName)
	add(c.ResourceID)
	add(c.ResourceName)
	add(c.Currency)
	add(c.PIEmail)
	add(c.FundOrg)
	add(c.ProjectID)
	return fnv1a(b)
}

// printer computes fingerprint's value a row at a time without building
// its text: FNV-1a is a byte-by-byte state, so the cells are hashed where
// they are, and the state after the first three (period and charge
// period, which rows repeat) is remembered for each of the last few
// distinct ones. The appends and their hashing were 6% of an import's
// CPU. printerTest checks it against fingerprint.
type printer struct {
	prefix [64]printPrefix
}

type printPrefix struct {
	period, start, end string
	state              uint64
}

const fnvOffset, fnvPrime = 14695981039346656037, 1099511628211

// fnvString continues FNV-1a state x over s and a 0 byte (add's separator).
func fnvString(x uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= fnvPrime
	}
	return x * fnvPrime // x ^ 0
}

// fnvBytes continues FNV-1a state x over b.
func fnvBytes(x uint64, b []byte) uint64 {
	for _, c := range b {
		x ^= uint64(c)
		x *= fnvPrime
	}
	return x
}

// print is fingerprint(period, v, cols, c, am).
func (p *printer) print(period string, v []string, cols columns, c *Charge, am *rowAmounts) uint64 {
	start, end := cell(v, cols.chargeStart), cell(v, cols.chargeEnd)
	// Any slot will do (the strings are compared); charge periods differ
	// in their day and hour.
	k := len(start)
	if k >= 13 {
		k += int(start[8])*10 + int(start[9]) + int(start[11])*3 + int(start[12])*7
	}
	e := &p.prefix[k%len(p.prefix)]
	if e.state == 0 || e.period != period || e.start != start || e.end != end {
		*e = printPrefix{period, start, end, fnvString(fnvString(fnvString(fnvOffset, period), start), end)}
	}
	x := e.state
	var buf [80]byte
	b := append(am.billed.appendString(buf[:0]), 0)
	b = append(am.list.appendString(b), 0)
	if am.hasQty {
		b = am.qty.appendString(b)
	}
	b = append(b, 0)
	x = fnvBytes(x, b)
	for _, s := range [...]string{c.Unit, c.ServiceName, c.ResourceID, c.ResourceName, c.Currency, c.PIEmail, c.FundOrg, c.ProjectID} {
		x = fnvString(x, s)
	}
	return x
}

// fnv1a is hash/fnv's 64-bit FNV-1a of b, without the hash.Hash64 (an
// allocation a row).
func fnv1a(b []byte) uint64 {
	return fnvBytes(fnvOffset, b)
}

// packPrints stores fingerprints sorted, 8 bytes each, big-endian.
func packPrints(p []uint64) []byte {
	s := slices.Clone(p)
	sortPrints(s)
	out := make([]byte, 8*len(s))
	for i, x := range s {
		binary.BigEndian.PutUint64(out[8*i:], x)
	}
	return out
}

// sortPrints sorts s as slices.Sort does, by radix (a byte a pass, least
// significant first): for 1M fingerprints about a fifth of pdqsort's
// time, which was most of the import's serial tail after its last COPY.
func sortPrints(s []uint64) {
	if len(s) < 256 {
		slices.Sort(s)
		return
	}
	var count [8][256]int
	for _, x := range s {
		for b := range count {
			count[b][byte(x>>(8*b))]++
		}
	}
	src, dst := s, make([]uint64, len(s))
	for b := range count {
		c := &count[b]
		if c[byte(s[0]>>(8*b))] == len(s) {
			continue // every value has this byte: the order stands
		}
		at := 0
		for i, n := range c {
			c[i], at = at, at+n
		}
		shift := uint(8 * b)
		for _, x := range src {
			k := byte(x >> shift)
			dst[c[k]] = x
			c[k]++
		}
		src, dst = dst, src
	}
	if &src[0] != &s[0] {
		copy(s, src)
	}
}

// findOverlap compares an import's row fingerprints with those of the
// period's imports of other sources and returns the import holding most
// of them, or nil. Imports made before fingerprints existed are not
// compared (they have none).
func findOverlap(ctx context.Context, tx *Tx, period, source string, prints []uint64, lines []int32) (*Overlap, error) {
	rows, err := tx.QueryContext(ctx, `SELECT i.id, i.source, i.file_name, p.prints FROM import_prints p JOIN imports i ON i.id = p.import_id
		WHERE i.period = ? AND i.source <> ? ORDER BY i.id`, period, source)
	if err != nil {
		return nil, fmt.Errorf("overlap check: %w", err)
	}
	defer rows.Close()
	var best *Overlap
	for rows.Next() {
		var o Overlap
		var blob []byte
		if err := rows.Scan(&o.ImportID, &o.Source, &o.FileName, &blob); err != nil {
			return nil, fmt.Errorf("overlap check: %w", err)
		}
		n := len(blob) / 8
		at := func(i int) uint64 { return binary.BigEndian.Uint64(blob[8*i:]) }
		for i, p := range prints {
			k := sort.Search(n, func(j int) bool { return at(j) >= p })
			if k < n && at(k) == p {
				if o.Rows == 0 {
					o.FirstLine = int(lines[i])
				}
				o.Rows++
			}
		}
		if o.Rows > 0 && (best == nil || o.Rows > best.Rows) {
			best = &o
		}
	}
	return best, rows.Err()
}
