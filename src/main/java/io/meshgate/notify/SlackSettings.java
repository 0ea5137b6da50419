package io.meshgate.notify;

import java.nio.file.Path;

/** Slack incoming webhook; the URL is a secret, read from the file. Absent: no Slack. */
public record SlackSettings(Path webhookUrlFile) {}
