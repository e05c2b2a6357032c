package web

// moreRoutes adds the routes of the pages beyond the dashboard.
func (s *Server) moreRoutes(m routeMux) {
	m.HandleFunc("GET /charges", s.auth(RoleViewer, s.charges))
	m.HandleFunc("GET /charges.csv", s.auth(RoleViewer, s.chargesCSV))
	m.HandleFunc("GET /review", s.auth(RoleViewer, s.review))
	m.HandleFunc("POST /review", s.auth(RoleReviewer, s.reviewSubmit))
	m.HandleFunc("GET /periods/{period}/confirm", s.auth(RoleAdmin, s.periodConfirm))
	m.HandleFunc("POST /periods/{period}/{action}", s.auth(RoleAdmin, s.periodAction))
	m.HandleFunc("GET /adjustments", s.auth(RoleViewer, s.adjustments))
	m.HandleFunc("POST /adjustments", s.auth(RoleReviewer, s.adjustSubmit))
	m.HandleFunc("GET /disputes", s.auth(RoleViewer, s.disputes))
	m.HandleFunc("POST /disputes", s.auth(RoleReviewer, s.disputeSubmit))
	m.HandleFunc("POST /disputes/{id}/resolve", s.auth(RoleReviewer, s.disputeResolve))
	m.HandleFunc("GET /statements", s.auth(RoleViewer, s.statements))
	m.HandleFunc("GET /statements.zip", s.auth(RoleViewer, s.statementsZip))
	m.HandleFunc("GET /statements.csv", s.auth(RoleViewer, s.statementsCSV))
	m.HandleFunc("POST /statements/send", s.auth(RoleAdmin, s.mailStart))
	m.HandleFunc("GET /statements/{id}", s.auth(RoleViewer, s.statementPage))
	m.HandleFunc("GET /statements/{id}/pdf", s.auth(RoleViewer, s.statementPDF))
	m.HandleFunc("GET /journal", s.auth(RoleAdmin, s.journalPage))
	m.HandleFunc("GET /journal.csv", s.auth(RoleAdmin, s.journalCSV))
	m.HandleFunc("GET /audit", s.auth(RoleAdmin, s.auditPage))
	m.HandleFunc("GET /audit.csv", s.auth(RoleAdmin, s.auditCSV))
	m.HandleFunc("GET /import", s.auth(RoleAdmin, s.importForm))
	m.HandleFunc("POST /import", s.authUpload(RoleAdmin, s.importSubmit))
}
