// Package tasks names the work handed from PostgreSQL to the queue: task
// types, their payloads and the queues they go to. The store writes them in
// its outbox, the relay enqueues them and the worker routes them, so each
// name is spelled here once.
package tasks

import "time"

// Task types. Each task's id is the id of the row it works on, so the queue
// itself refuses a task handed to it twice.
const (
	// GradeSubmission grades one submission; its id is the submission id
	// (a worker's takeover of a crashed run gets an id of its own).
	GradeSubmission = "grade:submission"
	// SendMail delivers one mail; its id is the mail id.
	SendMail = "mail:send"
	// DeliverWebhook sends one webhook delivery; its id is the delivery id.
	DeliverWebhook = "webhook:deliver"
	// CheckTakehome grades a custom take-home version's reference solution
	// and flawed variants; its id is "takehome-check:" and the version id.
	CheckTakehome = "takehome:check"
	// CompareSubmission fingerprints one graded run's code snapshot and
	// compares it with its take-home's group; its id is
	// "similarity:<submission id>:<run>".
	CompareSubmission = "similarity:submission"
	// CompareKnownSolution fetches, snapshots and fingerprints a known
	// solution and compares it with its group; its id is "known:<id>".
	CompareKnownSolution = "similarity:known"
)

// GradePayload is the body of a GradeSubmission task.
type GradePayload struct {
	SubmissionID string `json:"submission_id"`
}

// MailPayload is the body of a SendMail task.
type MailPayload struct {
	MailID string `json:"mail_id"`
}

// DeliverPayload is the body of a DeliverWebhook task.
type DeliverPayload struct {
	DeliveryID string `json:"delivery_id"`
}

// Timeouts are the task types that may run longer than the queue's default
// 30 minutes: a take-home check grades the reference solution and every
// flawed variant one after another.
var Timeouts = map[string]time.Duration{CheckTakehome: 2 * time.Hour}

// TakehomeCheckPayload is the body of a CheckTakehome task.
type TakehomeCheckPayload struct {
	OrgID     string `json:"org_id"`
	VersionID string `json:"version_id"`
}

// SimilarityPayload is the body of a CompareSubmission task. Its key is not
// "submission_id": the outbox sweeper reads that key as a pending grading.
type SimilarityPayload struct {
	SubmissionID string `json:"compared_submission_id"`
	Run          int    `json:"run"`
}

// KnownSolutionPayload is the body of a CompareKnownSolution task.
type KnownSolutionPayload struct {
	KnownSolutionID string `json:"known_solution_id"`
}

// Queues. Grading and regrades are apart so a reviewer's regrades wait
// behind candidates' first gradings; mail goes to the default queue.
const (
	QueueWebhooks = "webhooks"
	QueueGrading  = "grading"
	QueueRegrade  = "regrade"
	QueueDefault  = "default"
	// QueueSimilarity holds the similarity tasks: no one waits on them.
	QueueSimilarity = "similarity"
)

// QueuePriorities weighs each queue for the worker: webhooks go first
// (receivers wait on them), then grading, then mail, then regrades (a
// reviewer's afterthought) and similarity (read when a reviewer opens the
// scorecard, minutes later at the earliest).
var QueuePriorities = map[string]int{QueueWebhooks: 6, QueueGrading: 3, QueueDefault: 2, QueueRegrade: 1, QueueSimilarity: 1}
