// FrontDoor: a server that lets clients into a node (HTTP now, RESP later).
//
// The runtime owns its front doors so that stopping the node closes them on
// the loop thread before the loop ends, and destroys them before the core
// they read from.
#pragma once

namespace parley {

class FrontDoor {
 public:
  virtual ~FrontDoor() = default;
  // Stops accepting and closes every client connection. Called on the loop
  // thread when the runtime stops; must be idempotent.
  virtual void Close() = 0;
};

}  // namespace parley
