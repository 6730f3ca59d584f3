package models

// PartnershipReport holds the de-identified figures of the partnership over a
// range of calendar days; no figure names a person. internal/report defines
// every figure; the schema's descriptions repeat the definitions.
type PartnershipReport struct {
	From                      Date
	To                        Date
	ReferralsSent             int
	ReferralsClaimed          int
	CasesOpened               int
	CasesResolved             int
	MedianDaysToFirstResponse *float64
	MedianDaysToResolution    *float64
	TotalBenefitCents         int
	ByCategory                []*CategoryStat
	Outcomes                  []*OutcomeStat
}

// CategoryStat counts the cases of one category. A count is nil when it is
// suppressed (small-cell or complementary suppression); Suppressed is true
// when either count is.
type CategoryStat struct {
	Category   LegalCategory
	Cases      *int
	Resolved   *int
	Suppressed bool
}

// OutcomeStat counts the outcomes of one code; Cases is nil when suppressed.
type OutcomeStat struct {
	Code       OutcomeCode
	Cases      *int
	Suppressed bool
}
