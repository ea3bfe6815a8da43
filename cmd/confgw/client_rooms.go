package main

import (
	"github.com/spf13/cobra"

	"github.com/confgw/confgw/conference"
)

func newRoomsCmd(f *clientFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rooms",
		Short: "List breakout rooms with who is in them; add, delete and join rooms",
		Args:  cobra.NoArgs,
		RunE: f.run(func(c *call, _ []string) error {
			rooms, raw, err := c.api.Rooms(c.ctx, c.conf)
			return show(c, rooms, raw, err, writeRooms)
		}),
	}
	cmd.AddCommand(
		&cobra.Command{
			Use:   "add",
			Short: "Add a breakout room; the server numbers it",
			Args:  cobra.NoArgs,
			RunE: f.run(func(c *call, _ []string) error {
				r, raw, err := c.api.AddRoom(c.ctx, c.conf)
				return show(c, r, raw, err, writeRoom)
			}),
		},
		&cobra.Command{
			Use:   "delete ROOM",
			Short: "Delete a breakout room; its participants go back to the main room",
			Args:  cobra.ExactArgs(1),
			RunE: f.run(func(c *call, args []string) error {
				return c.done(c.api.DeleteRoom(c.ctx, c.conf, args[0]), "deleted room %s", args[0])
			}),
		},
		&cobra.Command{
			Use:   "join ROOM",
			Short: "Move yourself, the host whose --token this is, into a room",
			Args:  cobra.ExactArgs(1),
			RunE: f.run(func(c *call, args []string) error {
				p, raw, err := c.api.JoinRoom(c.ctx, c.conf, args[0])
				return show(c, p, raw, err, writeParticipant)
			}),
		},
	)
	return cmd
}

// The server records only the main room, so the commands name no room.

func newRecordCmd(f *clientFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "record",
		Short: "Start or stop recording the main room",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(
		&cobra.Command{
			Use:   "start",
			Short: "Start recording the main room",
			Args:  cobra.NoArgs,
			RunE: f.run(func(c *call, _ []string) error {
				rec, raw, err := c.api.StartRecording(c.ctx, c.conf, conference.MainRoomID)
				return show(c, rec, raw, err, writeRecording)
			}),
		},
		&cobra.Command{
			Use:   "stop",
			Short: "Stop recording the main room",
			Args:  cobra.NoArgs,
			RunE: f.run(func(c *call, _ []string) error {
				return c.done(c.api.StopRecording(c.ctx, c.conf, conference.MainRoomID), "recording stopped")
			}),
		},
	)
	return cmd
}

func newRecordingsCmd(f *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "recordings",
		Short: "List the conference's recordings",
		Args:  cobra.NoArgs,
		RunE: f.run(func(c *call, _ []string) error {
			files, raw, err := c.api.Recordings(c.ctx, c.conf)
			return show(c, files, raw, err, writeRecordings)
		}),
	}
}
