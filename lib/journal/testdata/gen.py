# One-off generator of statements-2025-01.ndjson (kept for reference; the
# NDJSON is committed). Totals follow lib/statement: lines rounded to cents,
# totals are sums of rounded lines, amount_due = billed + adjustments (negative = a credit).
import json, random
from decimal import Decimal, ROUND_HALF_UP
random.seed(7)
C = lambda d: Decimal(d).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
pis = [("ada.lovelace@uni.edu","Ada Lovelace","NSF-ATM-2024","climate-modeling","NSF-2401234"),
       ("alan.turing@uni.edu","Alan Turing","NIH-GM-2023","protein-folding","R01-GM123456"),
       ("grace.hopper@uni.edu","Grace Hopper","DOE-SC-2025","compilers",""),
       ("emmy.noether@uni.edu","Emmy Noether","NSF-DMS-2022","symmetry","NSF-2209876"),
       ("marie.curie@uni.edu","Marie Curie","NIH-CA-2021","radiology","R21-CA987654"),
       ("katherine.johnson@uni.edu","Katherine Johnson","NASA-2024","orbits",""),
       ("rosalind.franklin@uni.edu","Rosalind Franklin","NIH-GM-2024","xray-diffraction","R01-GM555555"),
       ("claude.shannon@uni.edu","Claude Shannon","DEPT-EE-0001","information",""),
       ("barbara.liskov@uni.edu","Barbara Liskov","DEPT-CS-0001","distributed",""),
       ("hedy.lamarr@uni.edu","Hedy Lamarr","ONR-2023","spread-spectrum","N00014-23-1-2345"),
       ("jose.garcia@uni.edu","José García-Müller","DEPT-BIO-0042","genómica",""),
       ("chien.wu@uni.edu","Chien-Shiung Wu","DOE-NP-2024","beta-decay","DE-SC0012345")]
services = [("HPC","HPC Compute","Compute","Core-Hours",Decimal("0.02"),Decimal("1")),
            ("HPC","HPC GPU","Compute","GPU-Hours",Decimal("2.5"),Decimal("1")),
            ("Storage","Research Storage","Storage","TB-Months",Decimal("10"),Decimal("1")),
            ("AWS","Amazon EC2","Compute","Hours",Decimal("0.192"),Decimal("0.15")),
            ("AWS","Amazon S3","Storage","GB-Months",Decimal("0.023"),Decimal("0.15")),
            ("AWS","Amazon SageMaker","AI and Machine Learning","Hours",Decimal("1.153"),Decimal("0.15")),
            ("Azure","Virtual Machines","Compute","Hours",Decimal("0.192"),Decimal("0.10")),
            ("Azure","Storage Accounts","Storage","GB-Months",Decimal("0.0208"),Decimal("0.10"))]
out = []
for n,(email,name,fund,proj,grant) in enumerate(pis, 1):
    lines = []
    for (src,svc,cat,unit,price,disc) in random.sample(services, random.randint(2,6)):
        q = Decimal(random.randint(100,900000))/Decimal(100)
        lst = q*price
        if src in ("HPC","Storage"):
            billed = Decimal(0) if n not in (2,8) else lst*Decimal("0.4")   # subsidized, condo partners pay 40%
        else:
            billed = lst*(1-disc)
        l = {"source":src,"service":svc,"project_id":proj,"fund_org":fund,"quantity":str(q),"unit":unit,
             "list_cost":str(C(lst)),"discount":str(C(billed)-C(lst)),"billed_cost":str(C(billed)),"service_category":cat}
        if grant: l["ref1"] = grant
        lines.append(l)
    adjs = []
    if n == 1:   # AWS credit line (negative) on a discounted account
        lines.append({"source":"AWS","service":"Amazon EC2","project_id":proj,"fund_org":fund,"list_cost":"-2.50","discount":"0.00","billed_cost":"-2.50","service_category":"Compute","ref1":grant})
        adjs.append({"amount":"-10.00","reason":"node outage credit, Jan 14"})
    if n == 3:   # fully subsidized: every line $0
        lines = [dict(l, billed_cost="0.00", discount=str(-Decimal(l["list_cost"]))) for l in lines]
    if n == 4:   # credit beyond the charges: amount due clamps at 0
        lines = [dict(l, billed_cost="0.00", discount=str(-Decimal(l["list_cost"]))) for l in lines]
        lines[0]["billed_cost"] = "12.34"; lines[0]["discount"] = str(Decimal("12.34")-Decimal(lines[0]["list_cost"]))
        adjs.append({"amount":"-50.00","reason":"=HYPERLINK(\"http://x\",\"y\") refund"})
    if n == 5:   # a second project on another fund, and a GL override
        lines.append({"source":"AWS","service":"Amazon EC2","project_id":"side-project","fund_org":"NIH-CA-2099","list_cost":"100.00","discount":"-15.00","billed_cost":"85.00","service_category":"Compute","account_code":"63999","ref2":"REQ-42"})
        adjs.append({"amount":"25.00","reason":"late storage usage from 2024-12","fund_org":fund,"ref":"2024-12"})
    if n == 7:
        adjs.append({"amount":"-3.33","reason":"dispute resolved"})
    bl = sum(Decimal(l["billed_cost"]) for l in lines)
    ll = sum(Decimal(l["list_cost"]) for l in lines)
    dd = sum(Decimal(l["discount"]) for l in lines)
    aa = sum(Decimal(a["amount"]) for a in adjs)
    due = bl+aa  # a negative amount due is a credit, never clamped
    st = {"statement_id":"2025-01-%04d"%n,"period":"2025-01","status":"final","currency":"USD",
          "pi":{"email":email,"name":name},"lines":lines,"adjustments":adjs,
          "totals":{"list_cost":str(C(ll)),"discount":str(C(dd)),"billed_cost":str(C(bl)),"adjustments":str(C(aa)),"amount_due":str(C(due))},
          "finalized_at":"2025-02-03T10:00:00Z"}
    if len({l["fund_org"] for l in lines}) == 1:
        st["fund_org"] = fund; st["project_id"] = proj
    out.append(st)
with open("statements-2025-01.ndjson","w") as f:
    for s in out: f.write(json.dumps(s, ensure_ascii=False)+"\n")
