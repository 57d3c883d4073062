package api

// networkRoutes are the endpoints of this family; a file of its own.
func (s *Server) networkRoutes() []route { return nil }
