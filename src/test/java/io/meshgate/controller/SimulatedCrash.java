package io.meshgate.controller;

/**
 * Thrown from a write hook: the controller "dies" right after that write. An Error, as a crash
 * escapes every handler.
 */
final class SimulatedCrash extends Error {
  SimulatedCrash(int write) {
    super("simulated crash after write #" + write);
  }
}
