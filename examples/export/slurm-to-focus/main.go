// Command slurm-to-focus turns Slurm accounting records into FOCUS charge
// rows: core-hours and GPU-hours per Slurm account, partition and month,
// priced from a rate table, with the PI's tags from an account mapping.
//
// Run sacct once per month, in UTC, clipped to the month:
//
//	TZ=UTC sacct --allusers --allocations --truncate --parsable2 \
//	  -S 2025-01-01T00:00:00 -E 2025-02-01T00:00:00 \
//	  --format=JobID,Account,User,Partition,AllocCPUS,AllocTRES,Elapsed,Start,End,State \
//	  > sacct-2025-01.txt
//	slurm-to-focus --period 2025-01 --rates rates.csv --accounts accounts.csv sacct-2025-01.txt > hpc.csv
//	focus-validate --strict --strict-profile=false hpc.csv > /dev/null
//
// See docs/export-guides/slurm.md for the mapping and the edge cases.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/examples/export/internal/exportkit"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return exportkit.Main("slurm-to-focus", parseFlags, export, args, stdin, stdout, stderr)
}

const usageText = `usage: slurm-to-focus --period YYYY-MM --rates FILE --accounts FILE [flags] [SACCT_FILE...]

Reads sacct --parsable2 output (stdin when no file is given) and writes FOCUS
rows: one per Slurm account, partition and resource (cpu, gpu) for the month.

Example (the same commands as docs/export-guides/slurm.md; TZ=UTC makes
sacct's -S/-E window the UTC month whatever the host's zone):
  TZ=UTC sacct --allusers --allocations --truncate --parsable2 \
    -S 2025-01-01T00:00:00 -E 2025-02-01T00:00:00 \
    --format=JobID,Account,User,Partition,AllocCPUS,AllocTRES,Elapsed,Start,End,State |
  slurm-to-focus --period 2025-01 --rates rates.csv --accounts accounts.csv |
  focus-validate --strict --strict-profile=false > hpc-2025-01.csv

Rows of accounts missing from --accounts are kept without a pi_email;
--strict-profile=false lets them through for review instead of dropping them.

Flags:
`

type options struct {
	exportkit.Common
	rates       string
	accounts    string
	tz          *time.Location
	maxProblems int
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := exportkit.NewFlags("slurm-to-focus", usageText, stderr, "billing month `YYYY-MM` (UTC); jobs are clipped to it (required)", "hpc", "HPC cluster")
	rates := fs.String("rates", "", "rate table `CSV`: partition,resource,weight,list_rate,billed_rate (required)")
	accounts := fs.String("accounts", "", "account mapping `CSV`: account,pi_email,pi_name,project_id,fund_org,... (required)")
	tz := fs.String("tz", "UTC", "time `zone` of sacct's Start/End (run sacct with TZ=UTC and keep the default: a\n--truncate export made in another zone has already lost hours that --tz cannot put back)")
	if err := fs.Parse(args, "rates", "accounts"); err != nil {
		return nil, err
	}
	o := &options{rates: *rates, accounts: *accounts, maxProblems: 50}
	var err error
	o.Common, err = fs.Common(func() (err error) {
		if o.tz, err = time.LoadLocation(*tz); err != nil {
			return fmt.Errorf("--tz: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// rate is one line of the rate table.
type rate struct {
	weight, list, billed decimal.Decimal
}

type rateKey struct{ partition, resource string }

func readRates(path string) (map[rateKey]rate, error) {
	t, err := exportkit.ReadTable(path, nil, "partition", "resource", "weight", "list_rate", "billed_rate")
	if err != nil {
		return nil, fmt.Errorf("rates: %w", err)
	}
	rates := map[rateKey]rate{}
	for _, r := range t.Rows {
		k := rateKey{r.Cells["partition"], strings.ToLower(r.Cells["resource"])}
		if k.resource != "cpu" && k.resource != "gpu" {
			return nil, exportkit.Dataf("%s:%d: resource: %q is not cpu or gpu", t.File, r.Line, r.Cells["resource"])
		}
		if _, dup := rates[k]; dup {
			return nil, exportkit.Dataf("%s:%d: partition %q resource %s is listed twice", t.File, r.Line, k.partition, k.resource)
		}
		var rt rate
		for col, dst := range map[string]*decimal.Decimal{"weight": &rt.weight, "list_rate": &rt.list, "billed_rate": &rt.billed} {
			if *dst, err = exportkit.ParseRate(t.File, r.Line, col, r.Cells[col]); err != nil {
				return nil, err
			}
		}
		rates[k] = rt
	}
	return rates, nil
}

// lookup finds the rate of a partition, falling back to partition "*".
func lookup(rates map[rateKey]rate, partition, resource string) (rate, bool) {
	if r, ok := rates[rateKey{partition, resource}]; ok {
		return r, true
	}
	r, ok := rates[rateKey{"*", resource}]
	return r, ok
}

// usageKey is what one output row aggregates over.
type usageKey struct{ account, partition, resource string }

type usage struct {
	seconds int64 // core-seconds or GPU-seconds: integers, so sums are exact
	jobs    int
}

// stats are reported on stderr so that nothing is left out silently. Each
// reason a job is not charged has its own count: one count for several
// reasons once told a site that jobs were "outside the period" when they
// were jobs cancelled before they started.
type stats struct {
	jobs, charged int
	// cancelled: State CANCELLED with no elapsed time, i.e. cancelled while
	// pending (also each part of a heterogeneous job, 20+0, 20+1, and the
	// pending tail of an array, 25_[2-4%1]).
	cancelled int
	// notStarted: no Start time (None, Unknown) and no elapsed time.
	notStarted int
	// zero: started and ended in the same second.
	zero int
	// outside: ran, but not within --period (an export without --truncate
	// or with a wider window).
	outside int
	steps   int
	// atLocalStart counts jobs starting exactly at the month start in --tz
	// when --tz is not UTC: the mark of a --truncate export made in that
	// zone, which has cut the hours before the local month start.
	atLocalStart int
}

func (st stats) summary() string {
	return fmt.Sprintf("%d jobs read, %d charged; not charged: %d cancelled before they started, %d never started, %d ran 0 seconds, %d outside the period; %d job steps skipped",
		st.jobs, st.charged, st.cancelled, st.notStarted, st.zero, st.outside, st.steps)
}

func export(o *options, stdin io.Reader, stdout, stderr io.Writer) error {
	rates, err := readRates(o.rates)
	if err != nil {
		return err
	}
	mapping, err := exportkit.ReadMapping(o.accounts)
	if err != nil {
		return err
	}
	rd := &reader{o: o, stderr: stderr, totals: map[usageKey]*usage{}, seen: map[string]string{}}
	for _, name := range o.Files {
		if err := rd.readSacct(name, stdin); err != nil {
			return err
		}
	}
	totals, st, problems := rd.totals, rd.st, rd.problems
	if st.atLocalStart > 0 {
		fmt.Fprintf(stderr, "slurm-to-focus: warning: %d job(s) start exactly at %s in %s, the month start in that zone: a --truncate export made in %s has cut the hours before it, which --tz cannot put back; run sacct with TZ=UTC\n",
			st.atLocalStart, o.Period.Start.Format("2006-01-02T15:04:05"), o.tz, o.tz)
	}
	// Every partition with usage must have a rate: a missing rate is a
	// data problem, not a reason to drop the usage.
	keys := make([]usageKey, 0, len(totals))
	var missing []string
	for k := range totals {
		keys = append(keys, k)
		if _, ok := lookup(rates, k.partition, k.resource); !ok {
			hint := "add a line, or a partition * line"
			if k.resource == "gpu" {
				// The usual cause: a job run with --exclusive in a CPU
				// partition on nodes that have GPUs holds all of them, and
				// AllocTRES says so.
				hint = "jobs run with --exclusive hold every GPU of their nodes, even in a CPU partition: add a *,gpu line to price GPUs in any partition, or a " + k.partition + ",gpu line (billed_rate 0 to give them away)"
			}
			missing = append(missing, fmt.Sprintf("%s: no rate for partition %q resource %s (%s)", o.rates, k.partition, k.resource, hint))
		}
	}
	sort.Strings(missing)
	problems = append(problems, missing...)
	if len(problems) > 0 {
		for i, p := range problems {
			if i == o.maxProblems {
				fmt.Fprintf(stderr, "... and %d more\n", len(problems)-i)
				break
			}
			fmt.Fprintln(stderr, p)
		}
		return exportkit.Dataf("%d problem(s); no rows written", len(problems))
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.account != b.account {
			return a.account < b.account
		}
		if a.partition != b.partition {
			return a.partition < b.partition
		}
		return a.resource < b.resource
	})
	unmapped := map[string]bool{}
	charges := make([]exportkit.Charge, 0, len(keys))
	for _, k := range keys {
		u := totals[k]
		rt, _ := lookup(rates, k.partition, k.resource)
		tags, ok := mapping.Lookup(k.account)
		if !ok && !unmapped[k.account] {
			unmapped[k.account] = true
			fmt.Fprintf(stderr, "slurm-to-focus: warning: account %q is not in %s; its rows carry no pi_email and will be flagged for review\n", k.account, o.accounts)
		}
		hours := exportkit.Quantity(decimal.New(u.seconds, 0).Div(decimal.New(3600, 0)))
		c := exportkit.Charge{
			Category:        "Usage",
			ServiceCategory: "Compute",
			Consumed:        hours,
			Pricing:         hours.Mul(rt.weight),
			ListRate:        rt.list,
			BilledRate:      rt.billed,
			ResourceID:      k.account,
			ResourceName:    k.account,
			ResourceType:    "Slurm Account",
			SkuID:           k.partition + "/" + k.resource,
			SkuPriceID:      k.partition + "/" + k.resource,
			Tags:            tags,
		}
		jobs := "jobs"
		if u.jobs == 1 {
			jobs = "job"
		}
		if k.resource == "gpu" {
			c.ServiceName, c.ConsumedUnit, c.PricingUnit = "HPC GPU", "GPU-Hours", "GPU-Hours"
			c.Description = fmt.Sprintf("Slurm partition %s GPU time, %d %s", k.partition, u.jobs, jobs)
		} else {
			c.ServiceName, c.ConsumedUnit, c.PricingUnit = "HPC Compute", "Core-Hours", "Core-Hours"
			c.Description = fmt.Sprintf("Slurm partition %s CPU time, %d %s", k.partition, u.jobs, jobs)
		}
		if !rt.weight.Equal(decimal.New(1, 0)) {
			c.Description += fmt.Sprintf(" (weight %s)", rt.weight)
		}
		charges = append(charges, c)
	}
	fmt.Fprintf(stderr, "slurm-to-focus: %s: %d rows; %s\n", o.Period, len(charges), st.summary())
	return exportkit.Write(stdout, o.Format, o.Source, charges)
}

// sacct columns the script reads. Others are ignored, so a site may add
// columns (JobName, NodeList) for its own checks.
var needed = []string{"Account", "Partition", "AllocCPUS", "Elapsed", "Start", "End"}

// reader reads sacct dumps into per-account totals.
type reader struct {
	o        *options
	stderr   io.Writer
	totals   map[usageKey]*usage
	st       stats
	problems []string
	// seen maps a job (Cluster/JobID) to where it was first read: a job
	// listed twice is a requeued job exported with --duplicates.
	seen map[string]string
}

func (rd *reader) readSacct(name string, stdin io.Reader) error {
	o, st := rd.o, &rd.st
	var in io.Reader = stdin
	display := name
	if name == "-" {
		display = "<stdin>"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	line := 0
	var col map[string]int
	nfields := 0      // fields in the header: every line must have as many
	trailing := false // --parsable: every line ends with a '|'
	bad := func(field, format string, a ...any) {
		rd.problems = append(rd.problems, fmt.Sprintf("%s:%d: %s: %s", display, line, field, fmt.Sprintf(format, a...)))
	}
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\uFEFF")
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		if col == nil {
			// --parsable (not 2) ends every line with a '|'; accept both,
			// deciding once from the header: stripping a '|' from every
			// --parsable2 line would eat an empty last field.
			trailing = strings.HasSuffix(text, "|")
		}
		if trailing {
			text = strings.TrimSuffix(text, "|")
		}
		fields := strings.Split(text, "|")
		if col == nil {
			col = map[string]int{}
			nfields = len(fields)
			for i, h := range fields {
				h = strings.TrimSpace(h)
				if first, dup := col[h]; dup {
					// sacct prints a column as often as --format names it.
					// Both copies hold the same value; read the first.
					fmt.Fprintf(rd.stderr, "slurm-to-focus: %s:%d: note: column %s is repeated (fields %d and %d); reading field %d\n", display, line, h, first+1, i+1, first+1)
					continue
				}
				col[h] = i
			}
			for _, n := range needed {
				if _, ok := col[n]; !ok {
					return exportkit.Dataf("%s:%d: missing column %s; run sacct with --parsable2 --format=JobID,Account,User,Partition,AllocCPUS,AllocTRES,Elapsed,Start,End,State", display, line, n)
				}
			}
			continue
		}
		get := func(n string) string {
			i, ok := col[n]
			if !ok || i >= len(fields) {
				return ""
			}
			return strings.TrimSpace(fields[i])
		}
		if len(fields) != nfields {
			bad("JobID", "%d fields, header has %d (a '|' inside a field? use --parsable2 --delimiter)", len(fields), nfields)
			continue
		}
		// Job steps (1234.batch, 1234.0) repeat their allocation's CPUs;
		// counting them too would double-charge. --allocations (-X)
		// leaves them out; skip them if it was forgotten.
		id := get("JobID")
		if strings.Contains(id, ".") {
			st.steps++
			continue
		}
		// A requeued job is listed once per run only with --duplicates.
		// The site charges the last run only (the one sacct lists by
		// default): earlier runs ended by a node failure or a preemption
		// are not the user's doing. Refuse rather than pick a run.
		if id != "" {
			key := get("Cluster") + "/" + id
			if first, dup := rd.seen[key]; dup {
				bad("JobID", "job %s is listed again (first at %s): a requeued job exported with --duplicates? Only its last run is charged: run sacct without --duplicates", id, first)
				continue
			}
			rd.seen[key] = fmt.Sprintf("%s:%d", display, line)
		}
		st.jobs++
		start, okStart := parseTime(get("Start"), o.tz)
		end, okEnd := parseTime(get("End"), o.tz)
		elapsed, err := parseElapsed(get("Elapsed"))
		if err != nil {
			bad("Elapsed", "%v", err)
			continue
		}
		// Cancelled while pending: "CANCELLED by 0" with no elapsed time.
		// Its Start may be None or the moment of the cancel.
		if elapsed == 0 && strings.HasPrefix(get("State"), "CANCELLED") {
			st.cancelled++
			continue
		}
		if !okStart {
			if elapsed > 0 {
				bad("Start", "%q is not a time, but the job ran %s", get("Start"), get("Elapsed"))
				continue
			}
			st.notStarted++ // pending (listed only without -S/-E)
			continue
		}
		if !okEnd {
			// A running job in an export made without --truncate: sacct
			// prints End=Unknown and Elapsed up to now. (With --truncate
			// End is the moment of the export.)
			end = start.Add(elapsed)
		}
		if end.Before(start) {
			bad("End", "%s is before Start %s", get("End"), get("Start"))
			continue
		}
		if end.Equal(start) {
			st.zero++
			continue
		}
		if !start.Equal(o.Period.Start) && start.In(o.tz).Format("2006-01-02T15:04:05") == o.Period.Start.Format("2006-01-02T15:04:05") {
			st.atLocalStart++
		}
		// Clip to the period even though --truncate already did: an export
		// run without it, or with a wider window, is then still right.
		if start.Before(o.Period.Start) {
			start = o.Period.Start
		}
		if end.After(o.Period.End) {
			end = o.Period.End
		}
		secs := int64(end.Sub(start) / time.Second)
		if secs <= 0 {
			st.outside++
			continue
		}
		account, partition := get("Account"), get("Partition")
		if account == "" {
			bad("Account", "empty; every job must be charged to an account")
			continue
		}
		if partition == "" {
			bad("Partition", "empty")
			continue
		}
		if err := exportkit.CheckText(account); err != nil {
			bad("Account", "%v", err)
			continue
		}
		if err := exportkit.CheckText(partition); err != nil {
			bad("Partition", "%v", err)
			continue
		}
		cpus, err := strconv.ParseInt(get("AllocCPUS"), 10, 64)
		if err != nil || cpus < 0 {
			bad("AllocCPUS", "%q is not a CPU count", get("AllocCPUS"))
			continue
		}
		gpus, err := gpuCount(get("AllocTRES"))
		if err != nil {
			bad("AllocTRES", "%v", err)
			continue
		}
		st.charged++
		add := func(resource string, n int64) {
			if n == 0 {
				return
			}
			k := usageKey{account, partition, resource}
			u := rd.totals[k]
			if u == nil {
				u = &usage{}
				rd.totals[k] = u
			}
			u.seconds += n * secs
			u.jobs++
		}
		add("cpu", cpus)
		add("gpu", gpus)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", display, err)
	}
	if col == nil {
		return exportkit.Dataf("%s: empty input (no sacct header)", display)
	}
	return nil
}

// parseTime reads sacct's Start/End ("2025-01-03T08:00:00", local time of
// the sacct run). "Unknown", "None" and "" are not times.
func parseTime(s string, loc *time.Location) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02T15:04:05", s, loc)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// parseElapsed reads [D-]HH:MM:SS, MM:SS or MM:SS.mmm (sacct's Elapsed).
func parseElapsed(s string) (time.Duration, error) {
	if s == "" || s == "INVALID" {
		return 0, nil
	}
	var days int64
	rest := s
	if d, r, ok := strings.Cut(s, "-"); ok {
		n, err := strconv.ParseInt(d, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not [D-]HH:MM:SS", s)
		}
		days, rest = n, r
	}
	parts := strings.Split(rest, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("%q is not [D-]HH:MM:SS", s)
	}
	var total time.Duration
	for i, p := range parts {
		if i == len(parts)-1 {
			p, _, _ = strings.Cut(p, ".") // drop milliseconds
		}
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not [D-]HH:MM:SS", s)
		}
		total = total*60 + time.Duration(n)
	}
	return time.Duration(days)*24*time.Hour + total*time.Second, nil
}

// gpuCount reads the GPUs of an AllocTRES value such as
// "billing=8,cpu=8,gres/gpu=2,gres/gpu:a100=2,mem=64G,node=1". Slurm lists
// the total (gres/gpu) and each type (gres/gpu:a100); the total wins, the
// types are summed only when the total is missing.
func gpuCount(tres string) (int64, error) {
	var total, typed int64
	haveTotal := false
	for _, item := range strings.Split(tres, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			continue
		}
		if k != "gres/gpu" && !strings.HasPrefix(k, "gres/gpu:") {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%s=%q is not a GPU count", k, v)
		}
		if k == "gres/gpu" {
			total, haveTotal = n, true
		} else {
			typed += n
		}
	}
	if haveTotal {
		return total, nil
	}
	return typed, nil
}
