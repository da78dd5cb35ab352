package traffic

// MeanCount is the expected number of arrivals of p in [a, b) seconds:
// Rate times the part of [a, b) that lies in the stream's [0, Until). The
// batched engine draws its per-step counts from it: the count of a Poisson
// process over an interval is Poisson with this mean.
func (p *Poisson) MeanCount(a, b float64) float64 {
	a = max(a, 0)
	b = min(b, p.Until.Seconds())
	if b <= a {
		return 0
	}
	return p.Rate * (b - a)
}

// RateAt is the rate at t seconds: Rate within the stream's [0, Until),
// 0 outside it.
func (p *Poisson) RateAt(t float64) float64 {
	if t < 0 || t >= p.Until.Seconds() {
		return 0
	}
	return p.Rate
}
