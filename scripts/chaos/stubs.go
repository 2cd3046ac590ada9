package main

import "context"

func runMatrix(ctx context.Context, s *suite) error {
	e, err := s.newEnv(ctx, "matrix")
	if err != nil {
		return err
	}
	defer e.close()
	s.verify(ctx, e)
	return nil
}
func runBadInput(ctx context.Context, s *suite) error    { return nil }
func runConcurrency(ctx context.Context, s *suite) error { return nil }
func runKill9(ctx context.Context, s *suite) error       { return nil }
func runPGRestart(ctx context.Context, s *suite) error   { return nil }
