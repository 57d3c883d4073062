package api

// streamRoutes are the endpoints of this family; a file of its own.
func (s *Server) streamRoutes() []route { return nil }
