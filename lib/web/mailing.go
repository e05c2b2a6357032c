package web

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/mail"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
)

// Mailing statements from the statements page. The web is one more caller
// of focus-mail's lib/mail.Runner, with the same Builder and Deliverer and
// the same sent record (mail.SentLog, by default LEDGER.sent-log, which
// focus-mail keeps too): whichever door mails a statement first, the other
// skips it unless an admin resends it.
//
// A mailing runs in the background, apart from the request that started
// it: closing the browser does not stop it. Its state is a small JSON file
// beside the sent record (SENTLOG.job), rewritten after every statement; a
// serve that stops mid-mailing finds it unfinished on start and runs it
// again, and the sent record makes the second run skip whatever went out.

// MailSettings are serve's --from with --smtp or --outbox.
type MailSettings struct {
	Builder   *mail.Builder
	Deliverer mail.Deliverer
	SentLog   string // the shared sent record
	Via       string // where mail goes, for the page ("SMTP mail.example.edu", "outbox DIR")
	// Draft returns the settings of a draft mailing (the date statements
	// become final, PI links); nil = the defaults without links.
	Draft   func(now time.Time) (*mail.DraftRun, error)
	TempDir string // for the PDFs while they are mailed; "" = os.TempDir()
}

// mailJob is one mailing, as saved in SENTLOG.job.
type mailJob struct {
	Period   string                 `json:"period"`
	By       string                 `json:"by"`
	Draft    bool                   `json:"draft"`
	Only     []string               `json:"only,omitempty"` // resend: these statements alone, even unchanged
	User     string                 `json:"user"`
	Started  time.Time              `json:"started"`
	Finished time.Time              `json:"finished,omitzero"`
	Done     bool                   `json:"done"`
	Total    int                    `json:"total"`
	Stopped  string                 `json:"stopped,omitempty"` // what ended the job early
	Outcomes map[string]mailOutcome `json:"outcomes"`
}

type mailOutcome struct {
	Outcome string `json:"outcome"` // focus-mail's: sent, skipped-sent, skipped-changed, failed
	To      string `json:"to"`
	Detail  string `json:"detail"`
}

// mailer runs one mailing at a time.
type mailer struct {
	cfg *MailSettings
	s   *Server
	mu  sync.Mutex
	job *mailJob // the running or last job
	run bool     // a job is running
	// hashes of final PDFs (statement id + finalize time → sha256): a
	// finalized statement never changes, so the status column renders each
	// once per server run, not on every view of the page.
	hashes sync.Map
}

func (m *mailer) jobFile() string { return m.cfg.SentLog + ".job" }

// resume runs again a mailing a stopped serve left unfinished.
func (m *mailer) resume() {
	b, err := os.ReadFile(m.jobFile())
	if err != nil {
		return
	}
	var j mailJob
	if err := json.Unmarshal(b, &j); err != nil {
		m.s.log.Error("mailing: unreadable job file", "file", m.jobFile(), "err", err)
		return
	}
	m.job = &j
	if !j.Done {
		m.s.log.Info("mailing: resuming", "period", j.Period, "draft", j.Draft, "user", j.User)
		m.start(&j)
	}
}

func (m *mailer) save(j *mailJob) {
	b, err := json.Marshal(j)
	if err == nil {
		tmp := m.jobFile() + ".tmp"
		if err = os.WriteFile(tmp, b, 0o600); err == nil {
			err = os.Rename(tmp, m.jobFile())
		}
	}
	if err != nil {
		m.s.log.Error("mailing: save job", "err", err)
	}
}

// start runs j in the background unless a job is running.
func (m *mailer) start(j *mailJob) bool {
	m.mu.Lock()
	if m.run {
		m.mu.Unlock()
		return false
	}
	if j.Outcomes == nil {
		j.Outcomes = map[string]mailOutcome{}
	}
	m.job, m.run = j, true
	m.save(j)
	m.mu.Unlock()
	go func() {
		err := m.mail(context.Background(), j)
		m.mu.Lock()
		defer m.mu.Unlock()
		if err != nil {
			j.Stopped = err.Error()
			m.s.log.Error("mailing", "period", j.Period, "err", err)
		}
		j.Done, j.Finished, m.run = true, m.s.cfg.Now().UTC(), false
		m.save(j)
	}()
	return true
}

// snapshot is a copy of the current job for a page.
func (m *mailer) snapshot() (mailJob, bool, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.job == nil {
		return mailJob{}, false, false
	}
	c := *m.job
	c.Outcomes = make(map[string]mailOutcome, len(m.job.Outcomes))
	for k, v := range m.job.Outcomes {
		c.Outcomes[k] = v
	}
	return c, true, m.run
}

// outcomeWriter takes the Runner's stdout lines (OUTCOME TAB ID TAB TO TAB
// DETAIL, focus-mail's own output) and records each in the job.
type outcomeWriter struct {
	m   *mailer
	j   *mailJob
	buf []byte
}

func (w *outcomeWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		f := strings.SplitN(string(w.buf[:i]), "\t", 4)
		w.buf = w.buf[i+1:]
		if len(f) == 4 {
			w.m.mu.Lock()
			w.j.Outcomes[f[1]] = mailOutcome{Outcome: f[0], To: f[2], Detail: f[3]}
			w.m.save(w.j)
			w.m.mu.Unlock()
		}
	}
}

// mail builds the period's statements and PDFs as focus-statement
// --pdf-dir does and hands them, as statement NDJSON, to a mail.Runner.
func (m *mailer) mail(ctx context.Context, j *mailJob) error {
	s := m.s
	sts, info, err := build.Build(ctx, s.cfg.Ledger, j.Period, build.Options{By: j.By})
	if err != nil {
		return err
	}
	if (info.State == ledger.StateFinalized) == j.Draft {
		return fmt.Errorf("period %s is %s now: mail it again from the statements page", j.Period, info.State)
	}
	if len(j.Only) > 0 {
		keep := map[string]bool{}
		for _, id := range j.Only {
			keep[id] = true
		}
		var only []statement.Statement
		for _, st := range sts {
			if keep[st.StatementID] {
				only = append(only, st)
			}
		}
		sts = only
	}
	hist, err := build.History(ctx, s.cfg.Ledger, j.Period)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp(m.cfg.TempDir, "focus-web-mail")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if _, err := s.pdf.WriteFiles(sts, hist, dir, 1, nil); err != nil {
		return err
	}
	m.mu.Lock()
	j.Total = len(sts)
	m.save(j)
	m.mu.Unlock()
	var in bytes.Buffer
	if err := statement.WriteNDJSON(&in, sts); err != nil {
		return err
	}
	// Held for the whole mailing, as focus-mail holds it: a focus-mail run
	// on the same record waits for this one, then skips what it sent.
	sent, err := mail.OpenSentLog(m.cfg.SentLog, false)
	if err != nil {
		return err
	}
	defer sent.Close()
	rc := mail.RunConfig{Builder: m.cfg.Builder, Deliverer: m.cfg.Deliverer, SentLog: sent,
		Out: &outcomeWriter{m: m, j: j}, Err: &logWriter{s: s}}
	if len(j.Only) > 0 {
		rc.Again = map[string]bool{}
		for _, id := range j.Only {
			rc.Again[id] = true
		}
	}
	if j.Draft {
		rc.Draft = &mail.DraftRun{FinalOn: s.cfg.Now().UTC().AddDate(0, 0, 14).Format("2006-01-02")}
		if m.cfg.Draft != nil {
			if rc.Draft, err = m.cfg.Draft(s.cfg.Now()); err != nil {
				return err
			}
		}
	}
	return mail.NewRunner(rc).Process(ctx, &in, "ledger "+j.Period)
}

// logWriter sends the Runner's diagnostics to the server log.
type logWriter struct{ s *Server }

func (w *logWriter) Write(p []byte) (int, error) {
	sc := bufio.NewScanner(bytes.NewReader(p))
	for sc.Scan() {
		w.s.log.Warn("mailing", "diagnostic", sc.Text())
	}
	return len(p), nil
}

// mailStatus is one statement's line in the mailing column.
type mailStatus struct {
	Kind   string // sent | changed | failed | not-sent | skipped
	Text   string
	SentAt string
}

// mailView is the statements page's mailing section.
type mailView struct {
	On       bool   // serve can mail
	Via      string //
	CanStart bool   // the period can be mailed now (closed: drafts; finalized: finals)
	Why      string // why not
	Draft    bool
	Running  bool
	Job      *mailJob
	Sent     int // of the job
	Failed   int
	Status   map[string]mailStatus
}

// mailStatuses reads the shared sent record and says, per statement, sent,
// changed since sent (the PDF or the address is not what was mailed),
// failed (the last mailing's reason) or not sent.
func (s *Server) mailStatuses(ctx context.Context, sts []statement.Statement, info ledger.PeriodInfo, by string) (mailView, error) {
	v := mailView{On: s.mailer != nil}
	if !v.On {
		return v, nil
	}
	v.Via = s.mailer.cfg.Via
	v.Draft = info.State != ledger.StateFinalized
	switch info.State {
	case ledger.StateOpen:
		v.Why = "Drafts are mailed once the period is closed (the review window); final statements once it is finalized."
	default:
		v.CanStart = true
	}
	job, ok, running := s.mailer.snapshot()
	if ok && job.Period == info.Period && job.By == by && job.Draft == v.Draft {
		v.Job, v.Running = &job, running
		for _, o := range job.Outcomes {
			switch o.Outcome {
			case mail.OutcomeSent:
				v.Sent++
			case mail.OutcomeFailed:
				v.Failed++
			}
		}
	}
	log, err := mail.OpenSentLog(s.mailer.cfg.SentLog, true)
	if err != nil {
		return v, err
	}
	var hist map[string][]ledger.MonthTotal
	v.Status = map[string]mailStatus{}
	for i := range sts {
		st := &sts[i]
		rec, sent := log.Lookup(st.StatementID)
		if v.Draft {
			rec, sent = log.LookupDraft(st.StatementID)
		}
		var o mailOutcome
		if v.Job != nil {
			o = v.Job.Outcomes[st.StatementID]
		}
		switch {
		case o.Outcome == mail.OutcomeFailed:
			v.Status[st.StatementID] = mailStatus{Kind: "failed", Text: "failed: " + o.Detail}
		case sent:
			if hist == nil {
				if hist, err = build.History(ctx, s.cfg.Ledger, info.Period); err != nil {
					return v, err
				}
			}
			sha, err := s.mailer.pdfHash(st, hist)
			if err != nil {
				return v, err
			}
			if strings.EqualFold(rec.PDFSHA256, sha) && strings.EqualFold(rec.To, st.PI.Email) {
				v.Status[st.StatementID] = mailStatus{Kind: "sent", Text: "sent " + rec.SentAt, SentAt: rec.SentAt}
			} else {
				v.Status[st.StatementID] = mailStatus{Kind: "changed", Text: "changed since sent " + rec.SentAt, SentAt: rec.SentAt}
			}
		default:
			v.Status[st.StatementID] = mailStatus{Kind: "not-sent", Text: "not sent"}
		}
	}
	return v, nil
}

// pdfHash is the sha256 of the statement's PDF as a mailing attaches it.
func (m *mailer) pdfHash(st *statement.Statement, hist map[string][]ledger.MonthTotal) (string, error) {
	key := ""
	if st.Status == statement.StatusFinal && st.FinalizedAt != "" {
		key = st.StatementID + "@" + st.FinalizedAt
		if h, ok := m.hashes.Load(key); ok {
			return h.(string), nil
		}
	}
	b, err := m.s.pdf.Statement(st, hist[strings.ToLower(st.PI.Email)])
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	h := hex.EncodeToString(sum[:])
	if key != "" {
		m.hashes.Store(key, h)
	}
	return h, nil
}

// mailStart is POST /statements/send: mail a period's statements (or,
// with id, one statement again).
func (s *Server) mailStart(w http.ResponseWriter, r *http.Request, q *req) {
	if s.mailer == nil {
		s.fail(w, r, q, http.StatusNotFound, "Mailing is not set up on this server: it needs a sender address and a mail server (or an outbox folder), given when the server is started.")
		return
	}
	p, by := r.PostForm.Get("period"), build.ByPI
	if r.PostForm.Get("by") == build.ByProject {
		by = build.ByProject
	}
	if !periodRE.MatchString(p) {
		s.fail(w, r, q, http.StatusBadRequest, "Choose a period (YYYY-MM).")
		return
	}
	info, err := s.cfg.Ledger.Period(r.Context(), p)
	if err != nil {
		s.refused(w, r, q, err)
		return
	}
	if info.State == ledger.StateOpen {
		s.fail(w, r, q, http.StatusConflict, "Period "+p+" is open: close it to mail the drafts (the review window), or finalize it to mail the final statements.")
		return
	}
	j := &mailJob{Period: p, By: by, Draft: info.State != ledger.StateFinalized, User: q.User.Name, Started: s.cfg.Now().UTC()}
	if id := r.PostForm.Get("id"); id != "" {
		if m := statementIDRE.FindStringSubmatch(id); m == nil || m[1] != p {
			s.fail(w, r, q, http.StatusBadRequest, "No such statement.")
			return
		}
		j.Only = []string{id}
	}
	if !s.mailer.start(j) {
		s.fail(w, r, q, http.StatusConflict, "A mailing is already running; wait for it to finish (its progress is on the statements page).")
		return
	}
	what := "mailing"
	if len(j.Only) > 0 {
		what = "resend"
	}
	s.audit(r.Context(), q.User.Name, "mail-statements", fmt.Sprintf("%s of period %s (draft %v) %s", what, p, j.Draft, strings.Join(j.Only, " ")))
	http.Redirect(w, r, "/statements?period="+p+"&by="+by+"#mailing", http.StatusSeeOther)
}

var errNoMail = errors.New("mailing needs a sender, a deliverer and a sent record")

// newMailer checks the settings and resumes an unfinished mailing.
func newMailer(s *Server, cfg *MailSettings) (*mailer, error) {
	if cfg.Builder == nil || cfg.Deliverer == nil || cfg.SentLog == "" {
		return nil, errNoMail
	}
	if err := os.MkdirAll(filepath.Dir(cfg.SentLog), 0o755); err != nil {
		return nil, fmt.Errorf("sent record: %w", err)
	}
	return &mailer{cfg: cfg, s: s}, nil
}
