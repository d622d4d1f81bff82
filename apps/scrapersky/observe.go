package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/scrapersky/scrapersky-go/adapters/metrics"
)

// observer is the listener of SCRAPERSKY_METRICS_ADDR: /metrics, /health and
// /health/db, apart from the API, so that operators can keep it off the
// public network and so that `scrapersky worker` processes, which serve no
// API, are visible too.
type observer struct {
	srv  *http.Server
	done chan error
}

// startObserver listens on addr and serves the metrics and health checks
// of a process whose store is db.
func startObserver(addr string, m *metrics.Metrics, db interface{ Ping(context.Context) error }, log *slog.Logger) (*observer, error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		writeHealth(w, http.StatusOK, "ok")
	})
	mux.HandleFunc("GET /health/db", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			log.ErrorContext(ctx, "database ping failed", "error", err)
			w.Header().Set("Retry-After", "5")
			writeHealth(w, http.StatusServiceUnavailable, "unavailable")
			return
		}
		writeHealth(w, http.StatusOK, "ok")
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("SCRAPERSKY_METRICS_ADDR: listen on %s: %w", addr, err)
	}
	o := &observer{
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       2 * time.Minute,
		},
		done: make(chan error, 1),
	}
	log.Info("metrics listening", "addr", ln.Addr().String())
	go func() {
		err := o.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		o.done <- err
	}()
	return o, nil
}

// shutdown stops the listener, letting scrapes in flight finish until ctx
// ends.
func (o *observer) shutdown(ctx context.Context) error {
	if err := o.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("metrics listener shutdown: %w", err)
	}
	return <-o.done
}

func writeHealth(w http.ResponseWriter, status int, s string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"status": s})
}
