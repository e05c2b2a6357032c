package cliutil

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Progress shows how long work goes on stderr, and only where a person
// watches: when stderr is a terminal and the work has run for more than
// progressDelay. A pipe or a cron log gets nothing. Counters are atomics,
// so the hot loop pays one atomic add per item.
type Progress struct {
	Items atomic.Int64 // rows, statements… done
	Bytes atomic.Int64 // input bytes read, for the ETA (with Total)

	what    string // "rows", "PDFs"
	total   int64  // input size in bytes (0 = unknown: no ETA)
	byItems bool   // total counts Items, not Bytes
	w       io.Writer
	start   time.Time
	stop    chan struct{}
	done    sync.WaitGroup
}

const (
	progressDelay = 2 * time.Second
	progressEvery = 500 * time.Millisecond
)

// StartProgress starts reporting to w if w is a terminal; total is the
// expected input size in bytes (0 when unknown, e.g. stdin). Stop ends it.
// A nil-safe *Progress is returned either way, so callers count
// unconditionally.
func StartProgress(w io.Writer, what string, total int64) *Progress {
	return start(&Progress{what: what, total: total, w: w})
}

func start(p *Progress) *Progress {
	p.start, p.stop = time.Now(), make(chan struct{})
	if !IsTerminal(p.w) {
		return p
	}
	p.done.Add(1)
	go p.run()
	return p
}

// StartItemProgress is StartProgress for work whose size is a number of
// items known at the start (statements to render): the ETA follows Items.
func StartItemProgress(w io.Writer, what string, items int) *Progress {
	return start(&Progress{what: what, total: int64(items), byItems: true, w: w})
}

func (p *Progress) run() {
	defer p.done.Done()
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	shown := false
	for {
		select {
		case <-p.stop:
			if shown {
				fmt.Fprint(p.w, "\r\033[K") // clear the line for the summary
			}
			return
		case now := <-t.C:
			el := now.Sub(p.start)
			if el < progressDelay {
				continue
			}
			shown = true
			fmt.Fprintf(p.w, "\r\033[K%s", p.line(el))
		}
	}
}

// line is one progress line, e.g. "412,000 rows  205,900 rows/s  48%  ETA 2s".
func (p *Progress) line(el time.Duration) string {
	n := p.Items.Load()
	rate := float64(n) / el.Seconds()
	s := fmt.Sprintf("%s %s  %s %s/s", group(n), p.what, group(int64(rate)), p.what)
	b := p.Bytes.Load()
	if p.byItems {
		b = n
	}
	if p.total > 0 && b > 0 {
		frac := float64(b) / float64(p.total)
		if frac > 1 {
			frac = 1
		}
		eta := time.Duration(float64(el) * (1 - frac) / frac)
		s += fmt.Sprintf("  %d%%  ETA %s", int(frac*100), eta.Round(time.Second))
	}
	return s
}

// Stop ends the report and clears its line.
func (p *Progress) Stop() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	p.done.Wait()
}

// CountingReader counts the bytes read through it into p.Bytes.
func (p *Progress) CountingReader(r io.Reader) io.Reader { return &countingReader{r: r, p: p} }

type countingReader struct {
	r io.Reader
	p *Progress
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.Bytes.Add(int64(n))
	return n, err
}

// SizeOf is the size of r when it is a regular file, else 0.
func SizeOf(r io.Reader) int64 {
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	}
	return 0
}

// group writes n with thousands separators.
func group(n int64) string {
	s := fmt.Sprint(n)
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
