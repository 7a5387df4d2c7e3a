// Package graph is the Meta Marketing (Graph) API client that pages ads, creatives and insights within the API's rate limits.
package graph
