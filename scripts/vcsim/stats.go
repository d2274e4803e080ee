package main

// What vcsim served, for benches and tests that count round trips rather than time them: SOAP calls per
// method, and the objects the PropertyCollector handed out (RetrievePropertiesEx and its continuations:
// object contents; WaitForUpdatesEx: object updates). GET /eio/stats answers them as JSON since the start.

import (
	"encoding/json"
	"net/http"
	"sync"
)

type servedStats struct {
	Calls            map[string]int `json:"calls"`
	ObjectsRetrieved int            `json:"objects_retrieved"`
	ObjectUpdates    int            `json:"object_updates"`
}

var (
	statsLock sync.Mutex
	served    = servedStats{Calls: map[string]int{}}
)

func countObjects(retrieved, updates int) {
	statsLock.Lock()
	served.ObjectsRetrieved += retrieved
	served.ObjectUpdates += updates
	statsLock.Unlock()
}

// countCalls wraps vcsim's HTTP handler: it counts each SOAP request by method and answers GET /eio/stats.
func countCalls(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/eio/stats" {
			statsLock.Lock()
			body, _ := json.Marshal(served)
			statsLock.Unlock()
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
			return
		}
		count := func(body []byte) []byte {
			if m := firstMethod.FindSubmatch(body); m != nil {
				statsLock.Lock()
				served.Calls[string(m[1])]++
				statsLock.Unlock()
			}
			return body
		}
		if r.Method == http.MethodPost && !rewriteBody(w, r, count) {
			return
		}
		next.ServeHTTP(w, r)
	})
}
