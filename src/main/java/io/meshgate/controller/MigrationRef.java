package io.meshgate.controller;

/** Enough of a RevisionMigration object to point an Event at it. */
public record MigrationRef(String name, String uid) {}
