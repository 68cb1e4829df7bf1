package main

import (
	"fmt"
	"sort"
	"time"

	tfplugin6 "tfcoreproto/tfplugin6"
)

// startupMedian launches bin n times the way Terraform does (AutoMTLS) and
// returns the median time from exec to an answered GetProviderSchema.
func startupMedian(bin string, n int) (time.Duration, error) {
	binary = bin
	var times []time.Duration
	for i := 0; i < n; i++ {
		start := time.Now()
		p, err := launch(true)
		if err != nil {
			return 0, err
		}
		if _, err := p.client.GetProviderSchema(ctx(), &tfplugin6.GetProviderSchema_Request{}); err != nil {
			p.kill()
			return 0, err
		}
		times = append(times, time.Since(start))
		if _, err := p.shutdown(); err != nil {
			return 0, err
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	return times[len(times)/2], nil
}

// bench prints the start-up median of ours and, when given, of a reference
// provider built with Go's go-plugin, and their ratio.
func bench(n int, ours, reference string) error {
	a, err := startupMedian(ours, n)
	if err != nil {
		return err
	}
	fmt.Printf("bench startup: plugin start to GetProviderSchema answered, median of %d: %v\n", n, a)
	if reference == "" {
		return nil
	}
	b, err := startupMedian(reference, n)
	if err != nil {
		return err
	}
	fmt.Printf("bench startup: go-plugin reference provider, median of %d: %v (ours/reference = %.2f)\n",
		n, b, float64(a)/float64(b))
	return nil
}
