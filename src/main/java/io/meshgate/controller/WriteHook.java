package io.meshgate.controller;

/**
 * Called after every successful API write. Production uses {@link #NONE}; crash tests throw from it
 * to kill a controller right after a given write.
 */
@FunctionalInterface
public interface WriteHook {
  WriteHook NONE = (verb, resource, name) -> {};

  void afterWrite(String verb, String resource, String name);
}
