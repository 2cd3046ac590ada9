package main

import "context"

func runKill9(ctx context.Context, s *suite) error       { return nil }
func runPGRestart(ctx context.Context, s *suite) error   { return nil }
