package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
)

const pageSize = 100

var sortKeys = map[string]bool{"id": true, "pi": true, "project": true, "service": true, "source": true, "list": true, "billed": true}

// filterFrom reads the charge filter from the query string, ignoring
// values it does not know rather than passing them to SQL.
func filterFrom(r *http.Request, ps []ledger.PeriodInfo) ChargeFilter {
	v := r.URL.Query()
	f := ChargeFilter{
		Period: pickPeriod(r, ps), PI: filterText(v.Get("pi")), Project: filterText(v.Get("project")),
		Service: filterText(v.Get("service")), Source: filterText(v.Get("source")),
		Flag: filterText(v.Get("flag")), Sort: v.Get("sort"), Desc: v.Get("dir") == "desc",
	}
	switch st := v.Get("status"); st {
	case "pending", "approved", "rejected", "clean":
		f.Status = st
	}
	if !sortKeys[f.Sort] {
		f.Sort = "id"
	}
	if p, err := strconv.Atoi(v.Get("page")); err == nil && p > 1 && p < 1_000_000 {
		f.Offset = (p - 1) * pageSize
	}
	f.Limit = pageSize
	return f
}

// maxFilterText is the most of a text filter that reaches the database:
// longer than any e-mail, project or service name, far shorter than
// SQLite's LIKE pattern limit (a 50,000-byte pattern is an error, not an
// empty result).
const maxFilterText = 256

// filterText is a text filter as typed, trimmed and cut to maxFilterText
// bytes on a character boundary.
func filterText(v string) string {
	v = strings.TrimSpace(v)
	if len(v) <= maxFilterText {
		return v
	}
	cut := maxFilterText
	for cut > 0 && !utf8.RuneStart(v[cut]) {
		cut--
	}
	return v[:cut]
}

// query is the filter as URL parameters, for links that keep the view.
func (f ChargeFilter) query(overrides ...string) string {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("period", f.Period)
	set("pi", f.PI)
	set("project", f.Project)
	set("service", f.Service)
	set("source", f.Source)
	set("flag", f.Flag)
	set("status", f.Status)
	if f.Sort != "id" {
		set("sort", f.Sort)
	}
	if f.Desc {
		v.Set("dir", "desc")
	}
	for i := 0; i+1 < len(overrides); i += 2 {
		if overrides[i+1] == "" {
			v.Del(overrides[i])
		} else {
			v.Set(overrides[i], overrides[i+1])
		}
	}
	return v.Encode()
}

type sortLink struct {
	Key, Label, Href, Aria string
	Num                    bool
}

type chargesData struct {
	Periods      []ledger.PeriodInfo
	F            ChargeFilter
	Rows         []ChargeRow
	Total        int
	Page, Pages  int
	First, Last  int
	Prev, Next   string
	CSV          string
	Cols         []sortLink
	Action       string // the page's own path
	ReviewAction bool   // show the bulk review form
	ReadOnly     string // why the period cannot change ("" = it can)
	View         string // the filter as a query string, carried by the review form
	Selected     map[int64]bool
	SumList      decimal.Decimal // of all filtered rows, every page
	SumBilled    decimal.Decimal
	Currency     string
	MoveAction   bool              // show "move a charge to another PI" (a reviewer, a Corrector backend)
	Form         map[string]string // a refused move form's entries, shown again
}

// inline is what a refused POST shows on the page it came from: the
// refusal below the title and the person's selection and entries kept.
type inline struct {
	Status   int
	Error    string
	Selected map[int64]bool
	Form     url.Values
}

func (in *inline) status() int {
	if in == nil || in.Status == 0 {
		return http.StatusOK
	}
	return in.Status
}

func (in *inline) err() string {
	if in == nil {
		return ""
	}
	return in.Error
}

// readOnly says why a period's records cannot change, or "".
func readOnly(ps []ledger.PeriodInfo, p string) string {
	for _, x := range ps {
		if x.Period == p && x.State == ledger.StateFinalized {
			return "Period " + p + " is finalized: its charges, reviews, adjustments and disputes can no longer change. Corrections go into the next open period as adjustments."
		}
	}
	return ""
}

func (s *Server) chargePage(w http.ResponseWriter, r *http.Request, q *req, page string, review bool) {
	s.chargePageWith(w, r, q, page, review, nil)
}

func (s *Server) chargePageWith(w http.ResponseWriter, r *http.Request, q *req, page string, review bool, in *inline) {
	ps, err := s.cfg.Ledger.Periods(r.Context())
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	f := filterFrom(r, ps)
	if review && !r.URL.Query().Has("status") {
		f.Status = "pending"
	}
	rows, total, err := s.cfg.Ledger.Charges(r.Context(), f)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	all := f
	all.Limit, all.Offset = 0, 0
	sumL, sumB, cur, err := chargeTotals(r.Context(), s.cfg.Ledger, all)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	d := chargesData{Periods: ps, F: f, Rows: rows, Total: total, SumList: sumL, SumBilled: sumB, Currency: cur, Page: f.Offset/pageSize + 1,
		Pages: (total + pageSize - 1) / pageSize, First: f.Offset + 1, Last: f.Offset + len(rows),
		Action: "/" + page, ReadOnly: readOnly(ps, f.Period), View: f.query()}
	d.ReviewAction = review && q.User.Role >= RoleReviewer && d.ReadOnly == ""
	if in != nil {
		d.Selected = in.Selected
	}
	_, corrects := s.cfg.Ledger.(Corrector)
	d.MoveAction = !review && corrects && q.User.Role >= RoleReviewer
	d.Form = formMap(in)
	if d.Page > 1 {
		d.Prev = "/" + page + "?" + f.query("page", strconv.Itoa(d.Page-1))
	}
	if d.Page < d.Pages {
		d.Next = "/" + page + "?" + f.query("page", strconv.Itoa(d.Page+1))
	}
	d.CSV = "/charges.csv?" + f.query()
	for _, c := range []struct {
		k, l string
		num  bool
	}{{"id", "ID", true}, {"source", "Source", false}, {"pi", "PI", false}, {"project", "Project", false},
		{"service", "Service", false}, {"list", "List price", true}, {"billed", "Billed", true}} {
		dir, aria := "", "none"
		if f.Sort == c.k {
			if f.Desc {
				aria = "descending"
			} else {
				dir, aria = "desc", "ascending"
			}
		}
		d.Cols = append(d.Cols, sortLink{Key: c.k, Label: c.l, Num: c.num, Aria: aria,
			Href: "/" + page + "?" + f.query("sort", c.k, "dir", dir, "page", "")})
	}
	title := "Charges"
	if review {
		title = "Review queue"
	}
	s.render(w, in.status(), page, view{Title: title + " " + f.Period, Q: q, Period: f.Period, Data: d,
		NavItem: page, Notice: notice(r), Error: in.err()})
}

func (s *Server) charges(w http.ResponseWriter, r *http.Request, q *req) {
	s.chargePage(w, r, q, "charges", false)
}

func (s *Server) review(w http.ResponseWriter, r *http.Request, q *req) {
	s.chargePage(w, r, q, "review", true)
}

// csvSafe keeps a text cell from being read as a formula by a spreadsheet.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// chargesCSV streams the current view (all pages) as CSV.
func (s *Server) chargesCSV(w http.ResponseWriter, r *http.Request, q *req) {
	ps, err := s.cfg.Ledger.Periods(r.Context())
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	f := filterFrom(r, ps)
	f.Limit, f.Offset = 0, 0
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="charges-`+f.Period+`.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"ChargeId", "Period", "Source", "PIEmail", "PIName", "ProjectId", "FundOrg", "ServiceName",
		"ResourceId", "ResourceName", "ConsumedQuantity", "ConsumedUnit", "ListCost", "BilledCost", "Currency", "Flags", "Review"})
	err = s.cfg.Ledger.EachChargeRow(r.Context(), f, func(c *ChargeRow) error {
		return cw.Write([]string{strconv.FormatInt(c.ID, 10), c.Period, csvSafe(c.Source), csvSafe(c.PIEmail), csvSafe(c.PIName),
			csvSafe(c.ProjectID), csvSafe(c.FundOrg), csvSafe(c.ServiceName), csvSafe(c.ResourceID), csvSafe(c.ResourceName),
			c.Quantity.String(), csvSafe(c.Unit), c.ListCost.String(), c.BilledCost.String(), c.Currency, csvSafe(c.Flags), c.Review})
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err != nil {
		// Headers are gone; the log says why the download is short.
		s.log.Error("charges.csv", "err", err)
	}
}

type adjustmentsData struct {
	Periods  []ledger.PeriodInfo
	Info     ledger.PeriodInfo
	Rows     []ledger.Adjustment
	Total    money.Money
	ReadOnly string
	Seen     int64             // the newest adjustment id on the page (stale-form check)
	Form     map[string]string // a refused form's entries, shown again
	CanVoid  bool              // a reviewer on a Corrector backend: each row offers "void"
	Voided   map[int64]int64   // adjustment id → the id of its void, among the rows
}

// formMap keeps the text entries of a refused form.
func formMap(in *inline) map[string]string {
	m := map[string]string{}
	if in != nil {
		for k, v := range in.Form {
			if k != "csrf" && len(v) > 0 {
				m[k] = v[0]
			}
		}
	}
	return m
}

func (s *Server) adjustments(w http.ResponseWriter, r *http.Request, q *req) {
	s.adjustmentsPage(w, r, q, nil)
}

func (s *Server) adjustmentsPage(w http.ResponseWriter, r *http.Request, q *req, in *inline) {
	ctx := r.Context()
	ps, err := s.cfg.Ledger.Periods(ctx)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	d := adjustmentsData{Periods: ps, Total: money.Zero, Form: formMap(in)}
	p := pickPeriod(r, ps)
	d.ReadOnly = readOnly(ps, p)
	if p != "" {
		if d.Info, err = s.cfg.Ledger.Period(ctx, p); err != nil {
			s.refused(w, r, q, err)
			return
		}
		if d.Rows, err = s.cfg.Ledger.Adjustments(ctx, p); err != nil {
			s.internal(w, r, q, err)
			return
		}
		d.Voided = map[int64]int64{}
		for _, a := range d.Rows {
			d.Total = d.Total.Add(money.Cents(a.Amount))
			d.Seen = max(d.Seen, a.ID)
			if a.VoidOf != 0 {
				d.Voided[a.VoidOf] = a.ID
			}
		}
		// A finalized period's adjustments are voided too: the void
		// goes into the open period after it.
		_, corrects := s.cfg.Ledger.(Corrector)
		d.CanVoid = corrects && q.User.Role >= RoleReviewer
	}
	s.render(w, in.status(), "adjustments", view{Title: "Adjustments " + p, Q: q, Period: p, Data: d,
		NavItem: "adjustments", Notice: notice(r), Error: in.err()})
}

type disputesData struct {
	Periods  []ledger.PeriodInfo
	Info     ledger.PeriodInfo
	Rows     []Dispute
	Open     int
	ReadOnly string
	Form     map[string]string
	Notify   bool // resolving can e-mail the PI (Config.Notify)
}

func (s *Server) disputes(w http.ResponseWriter, r *http.Request, q *req) {
	s.disputesPage(w, r, q, nil)
}

func (s *Server) disputesPage(w http.ResponseWriter, r *http.Request, q *req, in *inline) {
	ctx := r.Context()
	ps, err := s.cfg.Ledger.Periods(ctx)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	d := disputesData{Periods: ps, Form: formMap(in), Notify: s.cfg.Notify != nil}
	p := pickPeriod(r, ps)
	d.ReadOnly = readOnly(ps, p)
	if p != "" {
		if d.Info, err = s.cfg.Ledger.Period(ctx, p); err != nil {
			s.refused(w, r, q, err)
			return
		}
		if d.Rows, err = s.cfg.Ledger.Disputes(ctx, p); err != nil {
			s.internal(w, r, q, err)
			return
		}
		for _, x := range d.Rows {
			if x.Status == "open" {
				d.Open++
			}
		}
	}
	s.render(w, in.status(), "disputes", view{Title: "Disputes " + p, Q: q, Period: p, Data: d,
		NavItem: "disputes", Notice: notice(r), Error: in.err()})
}

// chargeTotaler is a backend that sums a filter's charges without
// streaming them (the SQLite ledger: from its line sums).
type chargeTotaler interface {
	ChargeTotals(ctx context.Context, f ChargeFilter) (list, billed decimal.Decimal, currency string, err error)
}

// chargeTotals is the total of every charge f matches (all pages).
func chargeTotals(ctx context.Context, b Backend, f ChargeFilter) (list, billed decimal.Decimal, cur string, err error) {
	if t, ok := b.(chargeTotaler); ok {
		return t.ChargeTotals(ctx, f)
	}
	err = b.EachChargeRow(ctx, f, func(c *ChargeRow) error {
		list, billed = list.Add(c.ListCost), billed.Add(c.BilledCost)
		if cur == "" {
			cur = c.Currency
		}
		return nil
	})
	return list, billed, cur, err
}
