package io.meshgate.schedule;

import io.meshgate.logging.LogContext;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Quartz job per migration, firing every {@code interval}; a tick of a migration never overlaps
 * the previous one, and missed ticks are not replayed in a burst.
 *
 * <pre>{@code
 * TickScheduler ticks = new TickScheduler(controller::reconcile);
 * ticks.schedule("istio-1-20", Duration.ofSeconds(30));
 * ticks.start();
 * }</pre>
 */
public final class TickScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TickScheduler.class);
  private static final String RECONCILE = "reconcile";
  private static final String GROUP = "migrations";
  // Quartz keeps one scheduler per instance name and JVM: a shared name would make every
  // TickScheduler of the JVM the same scheduler, running the last registered consumer
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final Scheduler scheduler;

  public TickScheduler(Consumer<String> reconcile) {
    Properties properties = new Properties();
    properties.setProperty(
        "org.quartz.scheduler.instanceName", "meshgate-" + INSTANCES.incrementAndGet());
    properties.setProperty("org.quartz.threadPool.threadCount", "4");
    properties.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    properties.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    try {
      scheduler = new StdSchedulerFactory(properties).getScheduler();
      scheduler.getContext().put(RECONCILE, reconcile);
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot create the tick scheduler: " + e.getMessage(), e);
    }
  }

  /** Runs one tick of a migration; its failures are logged, the next tick tries again. */
  @DisallowConcurrentExecution
  public static final class TickJob implements Job {
    @Override
    public void execute(JobExecutionContext context) {
      String migration = context.getJobDetail().getKey().getName();
      try (LogContext log = LogContext.migration(migration)) {
        @SuppressWarnings("unchecked")
        Consumer<String> reconcile =
            (Consumer<String>) context.getScheduler().getContext().get(RECONCILE);
        reconcile.accept(migration);
      } catch (SchedulerException | RuntimeException e) {
        LOG.error("tick of {} failed; retrying next tick: {}", migration, e.toString(), e);
      }
    }
  }

  /** Creates the migration's job, or changes its interval; a no-op when nothing changed. */
  public void schedule(String migration, Duration interval) {
    TriggerKey key = TriggerKey.triggerKey(migration, GROUP);
    try {
      Trigger existing = scheduler.getTrigger(key);
      if (existing instanceof SimpleTrigger simple
          && simple.getRepeatInterval() == interval.toMillis()) {
        return;
      }
      Trigger trigger =
          TriggerBuilder.newTrigger()
              .withIdentity(key)
              .startNow()
              .withSchedule(
                  SimpleScheduleBuilder.simpleSchedule()
                      .withIntervalInMilliseconds(interval.toMillis())
                      .repeatForever()
                      .withMisfireHandlingInstructionNextWithRemainingCount())
              .build();
      if (existing != null) {
        scheduler.rescheduleJob(key, trigger);
      } else {
        scheduler.scheduleJob(
            JobBuilder.newJob(TickJob.class).withIdentity(migration, GROUP).build(), trigger);
      }
      LOG.info("{} ticks every {}", migration, interval);
    } catch (SchedulerException e) {
      throw new IllegalStateException(
          "cannot schedule ticks of migration " + migration + ": " + e.getMessage(), e);
    }
  }

  /** Runs a tick of the migration now (after the running one, if any), besides its schedule. */
  public void triggerNow(String migration) {
    try {
      JobKey key = JobKey.jobKey(migration, GROUP);
      if (scheduler.checkExists(key)) {
        scheduler.triggerJob(key);
      }
    } catch (SchedulerException e) {
      throw new IllegalStateException(
          "cannot trigger a tick of migration " + migration + ": " + e.getMessage(), e);
    }
  }

  public void unschedule(String migration) {
    try {
      scheduler.deleteJob(JobKey.jobKey(migration, GROUP));
    } catch (SchedulerException e) {
      throw new IllegalStateException(
          "cannot unschedule migration " + migration + ": " + e.getMessage(), e);
    }
  }

  public void start() {
    try {
      scheduler.start();
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot start the tick scheduler: " + e.getMessage(), e);
    }
  }

  /** Stops firing ticks at once (leadership lost); {@link #start} resumes. */
  public void standby() {
    try {
      scheduler.standby();
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot pause the tick scheduler: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      scheduler.shutdown(true);
    } catch (SchedulerException e) {
      LOG.warn("tick scheduler did not shut down cleanly: {}", e.toString());
    }
  }
}
