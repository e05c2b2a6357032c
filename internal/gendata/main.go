// Command gendata writes deterministic, realistic FOCUS exports: the bundled
// samples in testdata/ (--sample) and large inputs for benchmarks (--rows N).
// Money is computed in integer micro-units and printed as exact decimals.
//
//	go run ./internal/gendata --rows 1000000 --period 2025-01 --seed 1 > big.csv
//	go run ./internal/gendata --sample --source HPC --period 2025-01 > hpc.csv
//	go run ./internal/gendata --sample --profile openchargeback --source HPC --period 2025-01
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

func main() {
	rows := flag.Int("rows", 1000, "rows to write (ignored with --sample)")
	period := flag.String("period", "2025-01", "billing period YYYY-MM")
	seed := flag.Uint64("seed", 1, "random seed (same seed, same output)")
	source := flag.String("source", "all", "AWS, Azure, HPC, Storage or all")
	pis := flag.Int("pis", 60, "number of PIs in generated data (ignored with --sample)")
	sample := flag.Bool("sample", false, "write the bundled sample for --source and --period: 15 named PIs and the planted review problems")
	profile := flag.String("profile", "focus", "focus (FOCUS 1.0 columns) or openchargeback (the 12-column OpenChargeback subset)")
	flag.Parse()

	start, err := time.Parse("2006-01", *period)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gendata: --period %q: want YYYY-MM\n", *period)
		os.Exit(2)
	}
	g := &gen{rng: rand.New(rand.NewPCG(*seed, uint64(start.Unix()))), start: start, end: start.AddDate(0, 1, 0), profile: *profile}
	if *sample {
		g.people = samplePIs
	} else {
		g.people = syntheticPIs(*pis)
	}
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	g.cw = csv.NewWriter(w)
	g.header()
	var srcs []string
	if *source == "all" {
		srcs = []string{"AWS", "Azure", "HPC", "Storage"}
	} else {
		srcs = []string{*source}
	}
	if *sample {
		for _, s := range srcs {
			g.sample(s)
		}
	} else {
		for i := 0; i < *rows; i++ {
			g.usage(srcs[i%len(srcs)], g.people[g.rng.IntN(len(g.people))], i)
		}
	}
	g.cw.Flush()
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gendata:", err)
		os.Exit(2)
	}
}

type person struct {
	Email, Name, Project, Fund string
	EndDate                    string // project end_date tag, "" = none
	Grant                      string
}

// samplePIs are the PIs of the bundled testdata.
var samplePIs = []person{
	{"ada.lovelace@uni.edu", "Ada Lovelace", "climate-modeling", "NSF-ATM-2024", "", "NSF-2401234"},
	{"alan.turing@uni.edu", "Alan Turing", "protein-folding", "NIH-GM-2023", "2025-02-28", "R01GM123456"},
	{"grace.hopper@uni.edu", "Grace Hopper", "compiler-research", "DOE-ASCR-2025", "", ""},
	{"katherine.johnson@uni.edu", "Katherine Johnson", "orbital-dynamics", "NASA-HEO-2024", "", "80NSSC24K0001"},
	{"marie.curie@uni.edu", "Marie Curie", "radiochemistry", "DOE-BES-2023", "2026-01-15", ""},
	{"rosalind.franklin@uni.edu", "Rosalind Franklin", "structural-biology", "NIH-GM-2025", "", "R35GM654321"},
	{"barbara.mcclintock@uni.edu", "Barbara McClintock", "maize-genomics", "USDA-NIFA-2024", "", ""},
	{"chien-shiung.wu@uni.edu", "Chien-Shiung Wu", "neutrino-physics", "DOE-HEP-2024", "", ""},
	{"dorothy.hodgkin@uni.edu", "Dorothy Hodgkin", "crystallography", "NSF-CHE-2023", "", ""},
	{"emmy.noether@uni.edu", "Emmy Noether", "symmetry-ml", "NSF-DMS-2025", "", ""},
	{"lise.meitner@uni.edu", "Lise Meitner", "fission-sim", "DOE-NP-2024", "", ""},
	{"vera.rubin@uni.edu", "Vera Rubin", "galaxy-survey", "NSF-AST-2024", "", ""},
	{"jennifer.doudna@uni.edu", "Jennifer Doudna", "crispr-screens", "HHMI-INV-2025", "", ""},
	{"tu.youyou@uni.edu", "Tu Youyou", "malaria-drugs", "GATES-GH-2024", "", ""},
	{"mary.somerville@uni.edu", "Mary Somerville", "teaching-cluster", "UNIV-EDU-0001", "", ""},
}

func syntheticPIs(n int) []person {
	out := make([]person, n)
	for i := range out {
		out[i] = person{
			Email:   fmt.Sprintf("pi%03d@uni.edu", i+1),
			Name:    fmt.Sprintf("PI %03d", i+1),
			Project: fmt.Sprintf("project-%03d", i+1),
			Fund:    fmt.Sprintf("NSF-P%02d-%d", i%97, 2023+i%3),
		}
	}
	return out
}

type gen struct {
	rng        *rand.Rand
	start, end time.Time
	profile    string
	people     []person
	cw         *csv.Writer
	rec        []string
}

var focusColumns = []string{
	"BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
	"BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass",
	"ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
	"ConsumedQuantity", "ConsumedUnit", "ContractedCost", "ContractedUnitPrice",
	"EffectiveCost", "InvoiceIssuerName", "ListCost", "ListUnitPrice",
	"PricingCategory", "PricingQuantity", "PricingUnit", "ProviderName",
	"PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName",
	"ResourceType", "ServiceCategory", "ServiceName", "SkuId", "SkuPriceId",
	"SubAccountId", "SubAccountName", "Tags",
}

var ocbColumns = []string{
	"BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd",
	"ListCost", "ContractedCost", "BilledCost", "EffectiveCost",
	"ResourceId", "ResourceName", "ServiceName", "Tags",
}

func (g *gen) header() {
	if g.profile == "openchargeback" {
		g.cw.Write(ocbColumns)
		return
	}
	g.cw.Write(focusColumns)
}

// service is one priced offering of a source.
type service struct {
	Name, Category, Unit, ResourceType, Sku string
	ListPrice                               int64 // per unit, in 1e-4 currency units
	MaxQty                                  int64 // in hundredths of a unit
}

var services = map[string][]service{
	"AWS": {
		{"Amazon EC2", "Compute", "Hours", "Instance", "EC2-M6I-XL", 1920, 74400},
		{"Amazon S3", "Storage", "GB-Months", "Bucket", "S3-STD", 230, 500000},
		{"Amazon SageMaker", "AI and Machine Learning", "Hours", "Notebook", "SM-ML-T3", 1150, 20000},
	},
	"Azure": {
		{"Virtual Machines", "Compute", "Hours", "Virtual Machine", "AZ-D4S-V5", 1920, 74400},
		{"Storage Accounts", "Storage", "GB-Months", "Storage Account", "AZ-BLOB-HOT", 208, 400000},
	},
	"HPC": {
		{"HPC Compute", "Compute", "Core-Hours", "Slurm Account", "HPC-CPU", 200, 12000000},
		{"HPC GPU", "Compute", "GPU-Hours", "Slurm Account", "HPC-GPU", 25000, 50000},
	},
	"Storage": {
		{"Research Storage", "Storage", "TB-Months", "Share", "RS-TB", 100000, 5000},
	},
}

// discount is the share of list price the institution pays for, in percent,
// by source: HPC and storage are mostly subsidized, cloud gets a negotiated rate.
func (g *gen) billedPercent(source string, p person) int64 {
	h := hash(p.Email)
	switch source {
	case "HPC":
		if h%4 == 0 {
			return 40 // condo partner: partly discounted
		}
		return 0 // fully subsidized
	case "Storage":
		if h%3 == 0 {
			return 50
		}
		return 0
	case "Azure":
		return 90
	}
	return 85
}

func hash(s string) uint32 {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

// micro formats an amount in 1e-6 units as an exact decimal.
func micro(v int64) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := fmt.Sprintf("%d.%06d", v/1e6, v%1e6)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if neg && s != "0" {
		s = "-" + s
	}
	return s
}

func fixed(v int64, places int) string {
	neg := v < 0
	if neg {
		v = -v
	}
	div := int64(1)
	for i := 0; i < places; i++ {
		div *= 10
	}
	s := fmt.Sprintf("%d.%0*d", v/div, places, v%div)
	if neg {
		s = "-" + s
	}
	return s
}

func (g *gen) ts(t time.Time) string {
	if g.profile == "openchargeback" {
		return t.Format("2006-01-02")
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

type charge struct {
	source   string
	svc      service
	who      person
	tags     string
	qty      int64 // hundredths
	category string
	desc     string
	resID    string
	resName  string
	chStart  time.Time
	chEnd    time.Time
	pct      int64 // billed percent of list
	listOver int64 // micro-units; when non-zero, overrides computed list (credits)
	billed   int64 // for credits
}

func tagsJSON(p person, extra ...string) string {
	var b strings.Builder
	b.WriteString("{")
	n := 0
	add := func(k, v string) {
		if v == "" {
			return
		}
		if n > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%q:%q", k, v)
		n++
	}
	add("pi_email", p.Email)
	add("pi_name", p.Name)
	add("project_id", p.Project)
	add("fund_org", p.Fund)
	add("end_date", p.EndDate)
	add("grant_number", p.Grant)
	for i := 0; i+1 < len(extra); i += 2 {
		add(extra[i], extra[i+1])
	}
	b.WriteString("}")
	return b.String()
}

func (g *gen) usage(source string, p person, i int) {
	svcs := services[source]
	svc := svcs[g.rng.IntN(len(svcs))]
	qty := 1 + g.rng.Int64N(svc.MaxQty)
	day := g.rng.IntN(int(g.end.Sub(g.start).Hours() / 24))
	cs := g.start.AddDate(0, 0, day)
	g.write(charge{
		source: source, svc: svc, who: p, tags: tagsJSON(p), qty: qty, category: "Usage",
		desc:    svc.Name + " usage",
		resID:   fmt.Sprintf("%s-%s-%d", strings.ToLower(source), p.Project, i%50),
		resName: fmt.Sprintf("%s %s", p.Project, strings.ToLower(svc.ResourceType)),
		chStart: cs, chEnd: cs.AddDate(0, 0, 1), pct: g.billedPercent(source, p),
	})
}

func (g *gen) write(c charge) {
	list := c.qty * c.svc.ListPrice // 1e-6 units: hundredths × 1e-4
	contractedPrice := c.svc.ListPrice * c.pct / 100
	contracted := c.qty * contractedPrice // exact: price rounded to 1e-4 first
	if c.category == "Credit" {
		list, contracted = c.billed, c.billed
	}
	if c.listOver != 0 {
		list = c.listOver
	}
	billed := contracted
	acct := map[string]string{"AWS": "123456789012", "Azure": "ea-8876543", "HPC": "hpc-center", "Storage": "rstor"}[c.source]
	if g.profile == "openchargeback" {
		g.cw.Write([]string{
			g.ts(g.start), g.ts(g.end.AddDate(0, 0, -1)), g.ts(c.chStart), g.ts(c.chEnd.AddDate(0, 0, -1)),
			fixed(list/1e4, 2), fixed(contracted/1e4, 2), fixed(billed/1e4, 2), fixed(billed/1e4, 2),
			c.resID, c.resName, c.svc.Name, c.tags,
		})
		return
	}
	rec := g.rec[:0]
	qtyS := fixed(c.qty, 2)
	usage := c.category == "Usage"
	opt := func(s string) string {
		if usage {
			return s
		}
		return ""
	}
	issuer := map[string]string{"AWS": "Amazon Web Services", "Azure": "Microsoft", "HPC": "Research Computing", "Storage": "Research Computing"}[c.source]
	region, regionName := "", ""
	switch c.source {
	case "AWS":
		region, regionName = "us-east-1", "US East (N. Virginia)"
	case "Azure":
		region, regionName = "eastus", "East US"
	}
	freq := "Usage-Based"
	if !usage {
		freq = "One-Time"
	}
	pricingCat := "Standard"
	if c.pct < 100 {
		pricingCat = "Committed"
	}
	rec = append(rec,
		micro(billed), acct, c.source+" research account", "USD",
		g.ts(g.end), g.ts(g.start), c.category, "",
		c.desc, freq, g.ts(c.chEnd), g.ts(c.chStart),
		opt(qtyS), opt(c.svc.Unit), micro(contracted), opt(fixed(contractedPrice, 4)),
		micro(billed), issuer, micro(list), opt(fixed(c.svc.ListPrice, 4)),
		opt(pricingCat), opt(qtyS), opt(c.svc.Unit), issuer,
		issuer, region, regionName, c.resID, c.resName,
		c.svc.ResourceType, c.svc.Category, c.svc.Name, opt(c.svc.Sku), opt(c.svc.Sku+"-"+g.start.Format("200601")),
		"sub-"+c.who.Project, c.who.Project, c.tags,
	)
	g.rec = rec
	g.cw.Write(rec)
}

// sample writes the bundled sample of one source: a few charges per PI,
// and the planted problems listed in testdata/README.md.
func (g *gen) sample(source string) {
	svcs := services[source]
	p1 := g.start.Format("200601")
	for pi, p := range g.people {
		for si, svc := range svcs {
			if (pi+si)%3 == 2 && len(svcs) > 1 {
				continue // not every PI uses every service
			}
			n := 1 + (pi+si)%3
			for k := 0; k < n; k++ {
				qty := 100 + g.rng.Int64N(svc.MaxQty/20)
				cs := g.start.AddDate(0, 0, k*10)
				ce := cs.AddDate(0, 0, 10)
				if ce.After(g.end) {
					ce = g.end
				}
				g.write(charge{
					source: source, svc: svc, who: p, tags: tagsJSON(p), qty: qty, category: "Usage",
					desc:    fmt.Sprintf("%s usage, %s", svc.Name, cs.Format("Jan 2")),
					resID:   fmt.Sprintf("%s-%s-%d", strings.ToLower(source), p.Project, si),
					resName: fmt.Sprintf("%s %s", p.Project, strings.ToLower(svc.ResourceType)),
					chStart: cs, chEnd: ce, pct: g.billedPercent(source, p),
				})
			}
		}
	}
	if g.profile == "openchargeback" {
		g.plantedOCB(source)
		return
	}
	// Planted problems: each has a ResourceId starting "planted-" so tests can find it.
	svc := svcs[0]
	base := charge{source: source, svc: svc, category: "Usage", chStart: g.start, chEnd: g.start.AddDate(0, 0, 1)}
	switch source {
	case "AWS":
		c := base
		c.who = person{Name: "Unknown", Project: "orphan-instance", Fund: "NSF-ATM-2024"}
		c.tags = `{"project_id":"orphan-instance","fund_org":"NSF-ATM-2024"}`
		c.qty, c.pct = 7200, 85
		c.desc, c.resID, c.resName = "EC2 instance with no PI tag", "planted-missing-pi-"+p1, "untagged-gpu-box"
		g.write(c)
		c = base
		c.who = g.people[0]
		c.tags = tagsJSON(g.people[0])
		c.category, c.billed = "Credit", -2500000 // -2.50 in 1e-6 units
		c.desc, c.resID, c.resName = "Service credit for outage", "planted-credit-"+p1, "credit"
		g.write(c)
	case "Azure":
		c := base
		bad := g.people[3]
		bad.Email = "k.johnson@@uni"
		c.who, c.tags = bad, tagsJSON(bad)
		c.qty, c.pct = 2400, 90
		c.desc, c.resID, c.resName = "VM with a mistyped PI e-mail", "planted-bad-email-"+p1, "orbital-vm"
		g.write(c)
	case "HPC":
		c := base
		c.svc = svcs[1] // GPU
		c.who, c.tags = g.people[9], tagsJSON(g.people[9])
		c.qty, c.pct = 4200000, 0 // 42,000 GPU-hours: far above everyone else
		c.desc, c.resID, c.resName = "GPU hours, runaway job array", "planted-outlier-"+p1, "symmetry-ml slurm account"
		g.write(c)
	case "Storage":
		c := base
		p := g.people[6]
		p.Fund = ""
		c.who, c.tags = p, tagsJSON(p)
		c.qty, c.pct = 1200, 50
		c.desc, c.resID, c.resName = "Share with no fund tag", "planted-missing-fund-"+p1, "maize-archive"
		g.write(c)
	}
}

func (g *gen) plantedOCB(source string) {
	if source != "HPC" {
		return
	}
	p := g.people[2]
	c := charge{source: source, svc: services["HPC"][0], who: p, category: "Usage", qty: 5000, pct: 0,
		chStart: g.start, chEnd: g.end,
		tags:  `{"pi_email":"grace.hopper@uni.edu","project_id":"compiler-research","fund_org":"DOE-ASCR-2025","request_id":"RC-1042","usage_user":"ghopper"}`,
		resID: "hpc-compiler-research-extra", resName: "compiler-research interactive"}
	g.write(c)
}
