"""The chat app's screens: the chat itself and the modal ones over it."""
