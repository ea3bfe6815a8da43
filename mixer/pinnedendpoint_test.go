package mixer_test

// pinnedEndpoint is an endpoint that states whether it is pinned to the
// main room, as phone legs do.
type pinnedEndpoint struct {
	fakeEndpoint
	pinned bool
}

func (e *pinnedEndpoint) PinnedToMainRoom() bool { return e.pinned }
