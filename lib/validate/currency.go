package validate

// iso4217 lists the ISO 4217 alphabetic codes: the current list plus codes
// withdrawn since 2018 (HRK, SLL, ZWL, ANG, CUC, VEF, MRO, STD, BYR), which
// older exports still carry. XXX (no currency) and XTS (testing) are left out:
// a bill cannot be in them.
const iso4217 = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV " +
	"BRL BSD BTN BWP BYN BYR BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF " +
	"DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR " +
	"ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD " +
	"MAD MDL MGA MKD MMK MNT MOP MRO MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR " +
	"PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD " +
	"SSP STD STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS " +
	"VED VEF VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XUA YER " +
	"ZAR ZMW ZWG ZWL"

// isoTable is indexed by the three letters (A–Z each) of a code.
var isoTable = func() (t [26 * 26 * 26]bool) {
	for i := 0; i+3 <= len(iso4217); i += 4 {
		t[currencyIndex(iso4217[i:i+3])] = true
	}
	return t
}()

func currencyIndex(s string) int {
	return int(s[0]-'A')*676 + int(s[1]-'A')*26 + int(s[2]-'A')
}

// isISO4217 reports whether s is an ISO 4217 alphabetic code (upper case).
func isISO4217(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return isoTable[currencyIndex(s)]
}

// ValidCurrency reports whether s is an ISO 4217 code (for --currency).
func ValidCurrency(s string) bool { return isISO4217(s) }
