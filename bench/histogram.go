package main

import (
	"fmt"
	"math"
)

// bucket is one cumulative histogram bucket: count observations were at most
// le.
type bucket struct {
	le    float64
	count float64
}

// deltaBuckets is after minus before, bucket by bucket: the observations made
// in between. Both come from the same histogram, so the bounds must agree.
func deltaBuckets(before, after []bucket) ([]bucket, error) {
	if len(before) == 0 {
		return after, nil
	}
	if len(before) != len(after) {
		return nil, fmt.Errorf("histogram changed shape: %d then %d buckets", len(before), len(after))
	}
	out := make([]bucket, len(after))
	for i := range after {
		if before[i].le != after[i].le {
			return nil, fmt.Errorf("histogram bound %d changed: %g then %g", i, before[i].le, after[i].le)
		}
		out[i] = bucket{le: after[i].le, count: after[i].count - before[i].count}
	}
	return out, nil
}

// quantile estimates the q-quantile the way Prometheus's histogram_quantile
// does: find the bucket holding the rank and interpolate linearly inside it,
// taking 0 as the lower bound of the first. A rank in the +Inf bucket gets
// the highest finite bound, since nothing better is known. NaN when the
// histogram is empty.
func quantile(q float64, bs []bucket) float64 {
	if len(bs) == 0 || q < 0 || q > 1 {
		return math.NaN()
	}
	total := bs[len(bs)-1].count
	if total <= 0 {
		return math.NaN()
	}
	rank := q * total
	lower, below := 0.0, 0.0
	for i, b := range bs {
		if b.count >= rank && b.count > below {
			if math.IsInf(b.le, 1) {
				if i == 0 {
					return math.NaN()
				}
				return bs[i-1].le
			}
			return lower + (b.le-lower)*(rank-below)/(b.count-below)
		}
		lower, below = b.le, b.count
	}
	return lower
}

// maxBound is the upper bound of the bucket holding the largest
// observation: the window's maximum to within one bucket, where the
// server's own max gauge runs since start and so includes call set-up. A
// maximum past the last finite bound gives +Inf; an empty histogram NaN.
func maxBound(bs []bucket) float64 {
	below := 0.0
	top := math.NaN()
	for _, b := range bs {
		if b.count > below {
			top = b.le
		}
		below = b.count
	}
	return top
}
