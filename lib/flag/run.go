package flag

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"os"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/focus"
)

// Input is one charge stream. A Path that names a regular file is read
// twice; anything else (stdin, a pipe, a Path that is a FIFO) is spooled to
// a temporary file during the first pass.
type Input struct {
	Name string    // for diagnostics ("-" = stdin)
	Path string    // file to open; "" = read R
	R    io.Reader // used when Path is ""
}

// ColumnFlags is the column focus-flag writes.
const ColumnFlags = "x_Flags"

// maxRequireTags bounds --require-tags (a bit mask per row in the spool).
const maxRequireTags = 32

// badMonth marks a BillingPeriodStart that is not a date.
const badMonth = math.MaxUint16

// cacheLimit bounds the per-value caches (e-mail validity, fund and watch
// matches) so that hostile input with unique values cannot grow memory.
const cacheLimit = 1 << 16

type source struct {
	name   string
	path   string   // re-read from here in pass 2 (the file or its spool)
	file   *os.File // or: a seekable stdin (`< file`), re-read from off
	off    int64
	format focus.Format
	header []string
	utf16  bool
}

// cols are a source's column positions (-1 = absent).
type cols struct {
	billed, list, qty, unit, service, resName, resID, cps, cpe, sku, desc,
	category, class, bps, tags, xflags int
}

func colsOf(r *focus.Reader) cols {
	return cols{
		billed: r.Index("BilledCost"), list: r.Index("ListCost"), qty: r.Index("ConsumedQuantity"),
		unit: r.Index("ConsumedUnit"), service: r.Index("ServiceName"), resName: r.Index("ResourceName"),
		resID: r.Index("ResourceId"), cps: r.Index("ChargePeriodStart"), cpe: r.Index("ChargePeriodEnd"),
		sku: r.Index("SkuId"), desc: r.Index("ChargeDescription"), category: r.Index("ChargeCategory"),
		class: r.Index("ChargeClass"), bps: r.Index("BillingPeriodStart"), tags: r.Index("Tags"),
		xflags: r.Index(ColumnFlags),
	}
}

// groupKey is a group of the outlier rule: ServiceName and ConsumedUnit for
// PI totals; for unit costs also SkuId (empty when absent), because one
// service and unit can carry many prices (EC2 instance types are all
// "Amazon EC2" in "Hours") while one SKU has one list price.
type groupKey struct{ service, unit, sku string }

// piAgg is one PI's cost in one group (outlier) or service (jump). Sums
// are exact decimals; maxCost only picks the row to mark, so a float is
// enough for it.
type piAgg struct {
	cost, list, billed decimal.Decimal
	maxCost            float64
	maxRow             uint32
	// The fast amounts added to cost since the last flush, exactly, as
	// acc × 10^accExp (accOn: any), so that most rows add two int64s
	// instead of two decimals; total gives cost with them.
	acc    int64
	accExp int32
	accOn  bool
}

// addCost adds c to cost.
func (a *piAgg) addCost(c amount) {
	if c.fast && a.addInt(c.v, c.exp) {
		return
	}
	a.cost = a.cost.Add(c.dec())
}

// addInt adds v × 10^exp to acc, rescaling one of them to the smaller
// exponent; false (acc unchanged in value) when that would overflow.
func (a *piAgg) addInt(v int64, exp int32) bool {
	if !a.accOn {
		a.acc, a.accExp, a.accOn = v, exp, true
		return true
	}
	switch {
	case exp > a.accExp:
		m, ok := mulPow10(v, a.accExp-exp)
		if !ok {
			return false
		}
		v = m
	case exp < a.accExp:
		m, ok := mulPow10(a.acc, exp-a.accExp)
		if !ok {
			return false
		}
		a.acc, a.accExp = m, exp // the same value
	}
	sum := a.acc + v
	if (v > 0 && sum < a.acc) || (v < 0 && sum > a.acc) {
		return false
	}
	a.acc = sum
	return true
}

// total is cost with the amounts still in acc.
func (a *piAgg) total() decimal.Decimal {
	if a.accOn {
		a.cost = a.cost.Add(decimal.New(a.acc, a.accExp))
		a.acc, a.accExp, a.accOn = 0, 0, false
	}
	return a.cost
}

var pow10i = [...]int64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// mulPow10 is v × 10^-neg for neg ≤ 0, and false when it overflows.
func mulPow10(v int64, neg int32) (int64, bool) {
	n := -int(neg)
	if n >= len(pow10i) {
		return 0, v == 0
	}
	p := pow10i[n]
	if v > math.MaxInt64/p || v < math.MinInt64/p {
		return 0, false
	}
	return v * p, true
}

type piInfo struct {
	id    uint32
	valid bool
}

type engine struct {
	cfg          Config
	reqKeys      []string // actual tag keys required
	missingCodes []string // "missing-tag:KEY"
	lookKeys     []string // reqKeys, then pi_email, fund_org, project_id
	piIdx        int
	fundIdx      int
	projIdx      int
	vals         []string

	sources []source
	header  []string // union of the inputs' columns, in order of appearance
	inHdr   map[string]bool
	spools  []string   // spool paths still to remove
	temps   []*os.File // spool files to close

	// pass-1 aggregates, all small except unitVals (8 bytes a row) and dups
	// (16 bytes a row): rows themselves are never kept.
	rows        uint32
	months      map[string]uint16
	monthNames  []string
	monthCounts []int
	groups      map[groupKey]uint32 // service+unit → id (PI totals)
	unitGroups  map[groupKey]uint32 // service+unit+sku → id (unit costs)
	unitVals    [][]float64         // by unit group id
	services    map[string]uint32
	pis         map[string]piInfo
	piNames     []string
	piGroup     map[[2]uint32]*piAgg
	piService   map[[2]uint32]*piAgg
	dups        dupSet // → source index << 32 | line of the first copy
	seeds       [2]maphash.Seed
	keyBuf      []byte
	fundOK      map[string]bool
	watchOK     map[string]bool
	minF        float64

	metaFile *os.File
	meta     *bufio.Writer
	rec      []byte

	// decided between the passes
	target    uint16            // month id rows must have (0: none known)
	unitStats []robust          // by group; spread 0 = too few rows
	aggFlags  map[uint32]uint32 // row index → bits (PI-total outlier, jump)
	aggNotes  map[uint32][]note // row index → explanations (with Explain)

	sum     Summary
	flagBuf []byte
}

// Run flags the inputs and writes them, with an x_Flags column, to w.
// A *focus.ParseError means the input is not a readable charge stream
// (run focus-validate first); other errors are I/O.
func Run(cfg Config, inputs []Input, w io.Writer) (*Summary, error) {
	cfg.fill()
	e := &engine{
		cfg: cfg, inHdr: map[string]bool{},
		months: map[string]uint16{}, monthNames: []string{""}, monthCounts: []int{0},
		groups: map[groupKey]uint32{}, unitGroups: map[groupKey]uint32{}, unitVals: [][]float64{nil},
		services: map[string]uint32{}, pis: map[string]piInfo{"": {}}, piNames: []string{""},
		piGroup: map[[2]uint32]*piAgg{}, piService: map[[2]uint32]*piAgg{},
		seeds:  [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		fundOK: map[string]bool{}, watchOK: map[string]bool{},
	}
	e.minF, _ = cfg.OutlierMin.Float64()
	seen := map[string]bool{}
	for _, n := range cfg.RequireTags {
		k := ResolveTag(cfg.Keys, n)
		if k == "" || seen[k] {
			continue
		}
		if strings.ContainsAny(k, ";,\r\n") {
			// The key becomes part of a ;-separated code.
			return nil, fmt.Errorf("--require-tags: tag key %q must not contain ';', ',' or a line break", k)
		}
		seen[k] = true
		e.reqKeys = append(e.reqKeys, k)
		e.missingCodes = append(e.missingCodes, CodeMissingTag+":"+k)
	}
	if len(e.reqKeys) > maxRequireTags {
		return nil, fmt.Errorf("--require-tags: at most %d keys", maxRequireTags)
	}
	e.lookKeys = append(append([]string(nil), e.reqKeys...), cfg.Keys.PIEmail, cfg.Keys.FundOrg, cfg.Keys.ProjectID)
	e.piIdx, e.fundIdx, e.projIdx = len(e.reqKeys), len(e.reqKeys)+1, len(e.reqKeys)+2
	e.vals = make([]string, len(e.lookKeys))
	e.sum.missing = make([]int, len(e.reqKeys))
	e.sum.piCost = map[uint32]*PICost{}
	defer e.cleanup()
	if cfg.Explain != nil {
		// One write per explained flag would be a syscall each.
		bw := bufio.NewWriterSize(cfg.Explain, 64<<10)
		e.cfg.Explain = bw
		defer bw.Flush()
	}

	mf, err := e.tempFile("meta")
	if err != nil {
		return nil, err
	}
	e.metaFile = mf
	e.meta = bufio.NewWriterSize(mf, 256<<10)
	for _, in := range inputs {
		if err := e.pass1(in); err != nil {
			return nil, err
		}
	}
	if err := e.meta.Flush(); err != nil {
		return nil, fmt.Errorf("write spool: %w", err)
	}
	e.decide()
	if err := e.pass2(w); err != nil {
		return nil, err
	}
	e.sum.finish(e)
	return &e.sum, nil
}

func (e *engine) cleanup() {
	e.dups.release() // mapped outside the heap: a server runs Run many times
	for _, f := range e.temps {
		f.Close()
	}
	for _, p := range e.spools {
		os.Remove(p)
	}
}

// open returns the stream for pass 1 and where pass 2 re-reads it.
func (e *engine) open(in Input) (io.Reader, func() error, source, error) {
	var src io.Reader = in.R
	closeFn := func() error { return nil }
	if in.Path != "" {
		f, err := os.Open(in.Path)
		if err != nil {
			return nil, nil, source{}, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, nil, source{}, err
		}
		if fi.Mode().IsRegular() {
			return f, f.Close, source{path: in.Path}, nil
		}
		src, closeFn = f, f.Close
	} else if f, ok := in.R.(*os.File); ok {
		// stdin redirected from a file (`focus-flag < x.csv`) can be
		// re-read in place: no spool needed.
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			if off, err := f.Seek(0, io.SeekCurrent); err == nil {
				return f, closeFn, source{file: f, off: off}, nil
			}
		}
	}
	if src == nil {
		return nil, nil, source{}, fmt.Errorf("%s: no input", in.Name)
	}
	sp, err := e.tempFile("spool")
	if err != nil {
		closeFn()
		return nil, nil, source{}, err
	}
	// Everything pass 1 reads is copied to the spool; a write error
	// surfaces as a read error of the tee. The spool stays open for pass 2.
	return io.TeeReader(src, sp), closeFn, source{file: sp}, nil
}

// tempFile creates a spool file and unlinks it at once: the open file
// lives until it is closed, and nothing is left behind even when the
// process is killed. Where unlinking an open file fails, cleanup removes it.
func (e *engine) tempFile(kind string) (*os.File, error) {
	f, err := os.CreateTemp(e.cfg.TempDir, "focus-flag-*."+kind)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", kind, err)
	}
	e.temps = append(e.temps, f)
	if os.Remove(f.Name()) != nil {
		e.spools = append(e.spools, f.Name())
	}
	return f, nil
}

// reopen returns the source's bytes again for pass 2.
func (s source) reopen() (io.Reader, func(), error) {
	if s.file != nil {
		if _, err := s.file.Seek(s.off, io.SeekStart); err != nil {
			return nil, nil, fmt.Errorf("rewind %s: %w", s.name, err)
		}
		return s.file, func() {}, nil
	}
	f, err := os.Open(s.path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

func (e *engine) pass1(in Input) (err error) {
	name := in.Name
	if name == "" {
		name = in.Path
	}
	src, closeFn, srcInfo, err := e.open(in)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := closeFn(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	br := bufio.NewReaderSize(src, 64<<10)
	head, _ := br.Peek(2)
	utf16 := bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF})
	r, err := focus.NewReader(br, name)
	if err != nil {
		var pe *focus.ParseError
		if errors.As(err, &pe) && strings.Contains(pe.Error(), "empty input") {
			// An empty stream has no rows to flag; it adds nothing.
			e.sources = append(e.sources, source{name: name, format: focus.CSV})
			return nil
		}
		return err
	}
	srcInfo.name, srcInfo.format, srcInfo.header, srcInfo.utf16 = r.Name(), r.Format(), r.Header(), utf16
	e.sources = append(e.sources, srcInfo)
	for _, h := range r.Header() {
		if !e.inHdr[h] {
			e.inHdr[h] = true
			e.header = append(e.header, h)
		}
	}
	c := colsOf(r)
	return e.consume(r, &c)
}

// batch carries rows from the reading goroutine to the rules: parsing CSV
// and applying the rules each take about half the time, and there are two
// cores.
type batch struct {
	lines []int
	vals  []string // n rows of width values
	n     int
	err   error
}

const batchRows = 512

func (e *engine) consume(r *focus.Reader, c *cols) error {
	width := len(r.Header())
	free := make(chan *batch, 4)
	full := make(chan *batch, 4)
	done := make(chan struct{})
	defer close(done)
	for i := 0; i < cap(free); i++ {
		free <- &batch{lines: make([]int, batchRows), vals: make([]string, batchRows*width)}
	}
	go func() {
		defer close(full)
		for {
			var b *batch
			select {
			case b = <-free:
			case <-done:
				return
			}
			b.n, b.err = 0, nil
			last := false
			for b.n < batchRows {
				row, err := r.Read()
				if err != nil {
					if err != io.EOF {
						b.err = err
					}
					last = true
					break
				}
				// Values are reused by the reader, the strings are not:
				// copying the slice is enough.
				b.lines[b.n] = row.Line
				copy(b.vals[b.n*width:(b.n+1)*width], row.Values)
				b.n++
			}
			select {
			case full <- b:
			case <-done:
				return
			}
			if last {
				return
			}
		}
	}()
	for b := range full {
		for i := 0; i < b.n; i++ {
			if err := e.row(focus.Row{Line: b.lines[i], Values: b.vals[i*width : (i+1)*width]}, c); err != nil {
				return err
			}
		}
		if b.err != nil {
			return b.err
		}
		free <- b
	}
	return nil
}

func get(v []string, i int) string {
	if i < 0 {
		return ""
	}
	return v[i]
}

// row applies the one-row rules and records what pass 2 needs.
func (e *engine) row(row focus.Row, c *cols) error {
	v := row.Values
	if e.rows == math.MaxUint32 {
		return errors.New("more than 4294967295 rows")
	}
	idx := e.rows
	e.rows++
	var bits, missing uint32

	if focus.LookupTags(get(v, c.tags), e.lookKeys, e.vals) != nil {
		bits |= bitBadTags
	}
	for i := range e.reqKeys {
		if strings.TrimSpace(e.vals[i]) == "" {
			missing |= 1 << uint(i)
		}
	}

	// PI: id for aggregates and summary; e-mail validity cached with it.
	email := e.vals[e.piIdx]
	pi, ok := e.pis[email]
	if !ok {
		pi = piInfo{id: uint32(len(e.piNames)), valid: ValidEmail(email)}
		if len(e.piNames) < 1<<24 {
			email = strings.Clone(email)
			e.pis[email] = pi
			e.piNames = append(e.piNames, email)
		} else {
			pi.id = 0
		}
	}
	if email != "" && strings.TrimSpace(email) != "" && !pi.valid {
		bits |= bitBadEmail
	}

	if fund := e.vals[e.fundIdx]; len(e.cfg.FundPatterns) > 0 && strings.TrimSpace(fund) != "" {
		okf, cached := e.fundOK[fund]
		if !cached {
			okf = false
			for _, re := range e.cfg.FundPatterns {
				if re.MatchString(fund) {
					okf = true
					break
				}
			}
			if len(e.fundOK) < cacheLimit {
				e.fundOK[strings.Clone(fund)] = okf
			}
		}
		if !okf {
			bits |= bitBadFund
		}
	}
	var watchSvc, watchRN bool
	if len(e.cfg.Watch) > 0 {
		watchSvc, watchRN = e.watched(get(v, c.service)), e.watched(get(v, c.resName))
		if watchSvc || watchRN {
			bits |= bitWatch
		}
	}

	billedS, listS, qtyS := get(v, c.billed), get(v, c.list), get(v, c.qty)
	billedA, listA, qtyA := parseAmount(billedS), parseAmount(listS), parseAmount(strings.TrimSpace(qtyS))
	bok := billedA.ok
	lp, lok := listA.present, listA.ok
	qty, qok := qtyA.f, qtyA.ok
	if !bok || !lok || !qok {
		bits |= bitBadAmount
	}
	if bok && billedA.sign() < 0 && !IsCredit(get(v, c.category), get(v, c.class), get(v, c.desc)) {
		bits |= bitNegativeCost
	}
	if bok && lok && lp && greater(billedA, listA) {
		bits |= bitBilledOverList
	}
	if bok && lok && billedA.sign() > 0 && (!lp || listA.sign() == 0) {
		bits |= bitNoListPrice
	}

	// duplicate: the same charge seen before in this input (the first copy
	// stays clean). 128 bits of hash: a false match is never expected.
	kb := e.keyBuf[:0]
	for _, ci := range [...]int{c.resID, c.cps, c.cpe, c.sku, c.desc, c.service, c.billed, c.list, c.qty} {
		kb = append(kb, get(v, ci)...)
		kb = append(kb, 0)
	}
	kb = append(kb, email...)
	kb = append(kb, 0)
	kb = append(kb, e.vals[e.projIdx]...)
	e.keyBuf = kb
	key := [2]uint64{maphash.Bytes(e.seeds[0], kb), maphash.Bytes(e.seeds[1], kb)}
	first, dup := e.dups.firstOrAdd(key, uint64(len(e.sources)-1)<<32|uint64(uint32(row.Line)))
	if dup {
		bits |= bitDuplicate
	}

	// billing period
	// A period that is present but not a date cannot be the input's
	// period: it gets the reserved id badMonth, which never matches.
	var month uint16
	if bps := get(v, c.bps); strings.TrimSpace(bps) != "" {
		month = badMonth
	}
	if m, ok := Month(get(v, c.bps)); ok {
		id, ok := e.months[m]
		if !ok && len(e.monthNames) < badMonth-1 {
			id = uint16(len(e.monthNames))
			e.months[m] = id
			e.monthNames = append(e.monthNames, m)
			e.monthCounts = append(e.monthCounts, 0)
		}
		month = id
		e.monthCounts[id]++
	}

	// The cost a statistic looks at: ListCost (the usage's value, which a
	// subsidy does not hide) when it is positive, else BilledCost.
	cost, costF := billedA, billedA.f
	if lok && lp && listA.sign() > 0 {
		cost, costF = listA, listA.f
	}
	var group uint32
	lnUnit := math.NaN()
	overMin := false
	if svc := get(v, c.service); svc != "" && bok && lok {
		unit := get(v, c.unit)
		g := intern(e.groups, groupKey{svc, unit, ""}, len(e.groups)+1)
		if qok && qty > 0 && costF > 0 {
			n := len(e.unitGroups) + 1
			u := intern(e.unitGroups, groupKey{svc, unit, get(v, c.sku)}, n)
			if int(u) == n {
				e.unitVals = append(e.unitVals, nil)
			}
			lnUnit = math.Log(costF / qty)
			e.unitVals[u] = append(e.unitVals[u], lnUnit)
			group = u
		}
		overMin = costF >= e.minF
		if pi.id != 0 && email != "" {
			addCost(e.piGroup, [2]uint32{g, pi.id}, cost, costF, idx)
			if e.cfg.Baseline != nil {
				s, ok := e.services[svc]
				if !ok {
					s = uint32(len(e.services) + 1)
					e.services[strings.Clone(svc)] = s
				}
				addListBilled(e.piService, [2]uint32{s, pi.id}, listA.dec(), billedA.dec(), costF, idx)
			}
		}
	}

	var foreign string
	if c.xflags >= 0 {
		foreign = foreignCodes(v[c.xflags])
	}

	b := e.rec[:0]
	b = le32(b, uint32(row.Line))
	b = le32(b, bits)
	b = le32(b, missing)
	b = le32(b, group)
	b = le32(b, pi.id)
	b = append(b, byte(month), byte(month>>8))
	b = le64(b, math.Float64bits(lnUnit))
	if overMin {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = appendStr(b, billedS)
	b = appendStr(b, listS)
	b = appendStr(b, foreign)
	var explain string
	if e.cfg.Explain != nil && (bits != 0 || missing != 0) {
		explain = e.explainRow(bits, missing, &rowFacts{
			v: v, c: c, billedOK: bok, listOK: lok, qtyOK: qok, dupOf: first,
			email: email, fund: e.vals[e.fundIdx], watchSvc: watchSvc, watchRN: watchRN,
		})
	}
	b = appendStr(b, explain)
	e.rec = b
	if _, err := e.meta.Write(b); err != nil {
		return fmt.Errorf("write spool: %w", err)
	}
	return nil
}

// addCost adds a row's cost to its PI's total in a group (outlier).
func addCost(m map[[2]uint32]*piAgg, k [2]uint32, cost amount, costF float64, idx uint32) {
	a := m[k]
	if a == nil {
		a = &piAgg{maxCost: costF, maxRow: idx}
		a.addCost(cost)
		m[k] = a
		return
	}
	a.addCost(cost)
	if costF > a.maxCost {
		a.maxCost, a.maxRow = costF, idx
	}
}

// addListBilled adds a row to its PI's sums for a service (jump).
func addListBilled(m map[[2]uint32]*piAgg, k [2]uint32, list, billed decimal.Decimal, costF float64, idx uint32) {
	a := m[k]
	if a == nil {
		m[k] = &piAgg{list: list, billed: billed, maxCost: costF, maxRow: idx}
		return
	}
	a.list = a.list.Add(list)
	a.billed = a.billed.Add(billed)
	if costF > a.maxCost {
		a.maxCost, a.maxRow = costF, idx
	}
}

// intern returns k's id in m, adding it with id next when new (keys are
// cloned so that they do not pin the row they were sliced from).
func intern(m map[groupKey]uint32, k groupKey, next int) uint32 {
	if id, ok := m[k]; ok {
		return id
	}
	k = groupKey{strings.Clone(k.service), strings.Clone(k.unit), strings.Clone(k.sku)}
	m[k] = uint32(next)
	return uint32(next)
}

func (e *engine) watched(name string) bool {
	if name == "" {
		return false
	}
	if w, ok := e.watchOK[name]; ok {
		return w
	}
	w := false
	for _, re := range e.cfg.Watch {
		if re.MatchString(name) {
			w = true
			break
		}
	}
	if len(e.watchOK) < cacheLimit {
		e.watchOK[strings.Clone(name)] = w
	}
	return w
}

// decide turns the aggregates into per-group statistics and per-row flags.
func (e *engine) decide() {
	// Billing period: --period, else the month most rows carry (ties go to
	// the earliest month, so the result does not depend on input order).
	if e.cfg.Period != "" {
		id, ok := e.months[e.cfg.Period]
		if !ok {
			id = badMonth - 1 // no row has it: every dated row mismatches
		}
		e.target = id
	} else {
		best := 0
		for id := 1; id < len(e.monthNames); id++ {
			if best == 0 || e.monthCounts[id] > e.monthCounts[best] ||
				(e.monthCounts[id] == e.monthCounts[best] && e.monthNames[id] < e.monthNames[best]) {
				best = id
			}
		}
		e.target = uint16(best)
	}

	// Unit cost per group.
	e.unitStats = make([]robust, len(e.unitVals))
	for g, vals := range e.unitVals {
		if len(vals) >= e.cfg.OutlierMinGroup {
			e.unitStats[g] = newRobust(vals, minSpreadUnit)
		}
		e.unitVals[g] = nil
	}

	// A PI's total in a group against the other PIs' totals. Only a rise is
	// flagged (small usage is not a problem), on the PI's largest row in the
	// group: one review item per finding, on the row that contributes most.
	e.aggFlags = map[uint32]uint32{}
	e.aggNotes = map[uint32][]note{}
	type entry struct {
		pi uint32
		a  *piAgg
	}
	byGroup := map[uint32][]entry{}
	for k, a := range e.piGroup {
		a.total() // cost is exact from here on
		byGroup[k[0]] = append(byGroup[k[0]], entry{k[1], a})
	}
	groupNames := make(map[uint32]groupKey, len(e.groups))
	for k, id := range e.groups {
		groupNames[id] = k
	}
	for g, aggs := range byGroup {
		var lns []float64
		for _, x := range aggs {
			if f, _ := x.a.cost.Float64(); f > 0 {
				lns = append(lns, math.Log(f))
			}
		}
		if len(lns) < e.cfg.OutlierMinGroup {
			continue
		}
		st := newRobust(lns, minSpreadTotal)
		for _, x := range aggs {
			a := x.a
			f, _ := a.cost.Float64()
			if f > 0 && !a.cost.LessThan(e.cfg.OutlierMin) && st.z(math.Log(f)) > e.cfg.OutlierZ {
				e.aggFlags[a.maxRow] |= bitOutlier
				if e.cfg.Explain != nil {
					gk := groupNames[g]
					e.aggNotes[a.maxRow] = append(e.aggNotes[a.maxRow], note{"ConsumedQuantity", fmt.Sprintf(
						"%s's total for %s (%s) is %s, %s the median PI total %.2f (robust z %.1f); this is the largest row",
						show(e.piNames[x.pi]), show(gk.service), show(gk.unit), a.cost.StringFixed(2), ratio(math.Log(f)-st.median),
						math.Exp(st.median), st.z(math.Log(f))), CodeOutlier})
				}
			}
		}
	}

	// Jump against last month's statements: a PI absent from the baseline
	// is new, not a jump; a service new to a known PI compares with zero.
	if b := e.cfg.Baseline; b != nil {
		svcNames := make([]string, len(e.services)+1)
		for n, id := range e.services {
			svcNames[id] = n
		}
		for k, a := range e.piService {
			email := e.piNames[k[1]]
			if !b.HasPI(email) {
				continue
			}
			base := b.Get(email, svcNames[k[0]])
			jb := isJump(base.Billed, a.billed, e.cfg.JumpFactor, e.cfg.JumpMin)
			jl := isJump(base.List, a.list, e.cfg.JumpFactor, e.cfg.JumpMin)
			if !jb && !jl {
				continue
			}
			e.aggFlags[a.maxRow] |= bitJump
			if e.cfg.Explain != nil {
				col, cur, prev := "BilledCost", a.billed, base.Billed
				if !jb {
					col, cur, prev = "ListCost", a.list, base.List
				}
				e.aggNotes[a.maxRow] = append(e.aggNotes[a.maxRow], note{col, fmt.Sprintf(
					"%s's %s is %s against %s in --baseline; this is the largest row",
					show(email), show(svcNames[k[0]]), cur.StringFixed(2), prev.StringFixed(2)), CodeJump})
			}
		}
	}
	e.piGroup, e.piService = nil, nil
	e.dups.release()
}

func le32(b []byte, v uint32) []byte {
	return append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
}

func le64(b []byte, v uint64) []byte {
	return le32(le32(b, uint32(v)), uint32(v>>32))
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}
