package web

import (
	"net/http"
)

// moreRoutes adds the routes of the pages beyond the dashboard.
func (s *Server) moreRoutes(m *http.ServeMux) {}

// openDisputes counts the period's open disputes when the ledger tracks them.
func (s *Server) openDisputes(r *http.Request, period string) (int, bool) { return 0, false }
