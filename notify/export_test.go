package notify

// Unanswered is unanswered for the external tests (the benchmark's
// questions).
var Unanswered = unanswered
