package judge

import "math"

// Zeroin finds a root of f in [a, b] by Brent's method exactly as R's
// uniroot does (R_zeroin2 in R's src/library/stats/src/zeroin.c, itself
// netlib's zeroin.c): fa = f(a) and fb = f(b) must have opposite signs (or
// one be zero), tol is the absolute tolerance and maxit the iteration limit.
// It returns the root and whether it converged within maxit. gonum has no
// root finder; a port keeps our intervals identical to R's, step by step,
// which matters because the functions we solve are step functions whose
// roots are whole intervals.
func Zeroin(f func(float64) float64, a, b, fa, fb, tol float64, maxit int) (float64, bool) {
	const eps = 2.220446049250313e-16 // DBL_EPSILON
	c, fc := a, fa
	if fa == 0 {
		return a, true
	}
	if fb == 0 {
		return b, true
	}
	for it := maxit + 1; it > 0; it-- {
		prevStep := b - a
		if math.Abs(fc) < math.Abs(fb) { // b is to be the best approximation
			a, b, c = b, c, b
			fa, fb, fc = fb, fc, fb
		}
		tolAct := 2*eps*math.Abs(b) + tol/2
		newStep := (c - b) / 2
		if math.Abs(newStep) <= tolAct || fb == 0 {
			return b, true
		}
		// Try interpolation if the previous step was large enough and in the
		// right direction.
		if math.Abs(prevStep) >= tolAct && math.Abs(fa) > math.Abs(fb) {
			var p, q float64
			cb := c - b
			if a == c { // two distinct points: linear interpolation
				t1 := fb / fa
				p = cb * t1
				q = 1 - t1
			} else { // inverse quadratic interpolation
				q = fa / fc
				t1 := fb / fc
				t2 := fb / fa
				p = t2 * (cb*q*(q-t1) - (b-a)*(t1-1))
				q = (q - 1) * (t1 - 1) * (t2 - 1)
			}
			if p > 0 {
				q = -q
			} else {
				p = -p
			}
			if p < 0.75*cb*q-math.Abs(tolAct*q)/2 && p < math.Abs(prevStep*q/2) {
				newStep = p / q
			}
		}
		if math.Abs(newStep) < tolAct {
			if newStep > 0 {
				newStep = tolAct
			} else {
				newStep = -tolAct
			}
		}
		a, fa = b, fb
		b += newStep
		fb = f(b)
		if (fb > 0 && fc > 0) || (fb < 0 && fc < 0) {
			c, fc = a, fa
		}
	}
	return b, false
}
