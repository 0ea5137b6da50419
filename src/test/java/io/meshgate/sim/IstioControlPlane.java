package io.meshgate.sim;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Istio's own control plane on a {@link RealCluster}: istiod (pilot-discovery) and istioctl built
 * from the {@code istio.io/istio} Go module ({@code src/test/go/istio}), installed per revision the
 * way Istio installs it, with one difference only: istiod runs as a process beside the test, not as
 * a pod (there is no container runtime here).
 *
 * <p>Per revision, {@code istioctl manifest generate} renders the charts of that Istio version
 * (profile minimal: CRDs and istiod) with {@code revision} and the injection and validation
 * webhooks pointed at the process by URL ({@code values.istiodRemote.injectionURL}, {@code
 * values.base.validationURL}), and everything rendered is applied. The chart's istiod Deployment
 * runs on the fake kubelet, so it is Available as in a cluster, and the process runs with the
 * environment of that Deployment's container. istiod patches its CA into the webhooks of its
 * revision (tags included) itself, so the API server calls Istio's own injector; {@code istioctl
 * tag set} makes tags as users do; istiod's Gateway API controller deploys gateways and waypoints.
 */
public final class IstioControlPlane implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(IstioControlPlane.class);
  public static final String NAMESPACE = "istio-system";
  private static final Duration READY = Duration.ofSeconds(60);

  private final RealCluster cluster;
  private final KubernetesClient admin;
  private final Path programs;
  private final Path dir;
  private final Map<String, Istiod> istiods = new ConcurrentHashMap<>();

  private IstioControlPlane(RealCluster cluster, Path programs, Path dir) {
    this.cluster = cluster;
    this.admin = cluster.admin();
    this.programs = programs;
    this.dir = dir;
  }

  /**
   * Builds istiod and istioctl if this content was never built on this machine, and installs the
   * Gateway API CRDs of the version Istio requires (before any istiod starts, so that its Gateway
   * API controllers run).
   */
  public static IstioControlPlane on(RealCluster cluster) {
    Path programs = GoBuilds.of("istio");
    try {
      IstioControlPlane istio =
          new IstioControlPlane(cluster, programs, Files.createTempDirectory("istio-"));
      istio.applyGatewayApiCrds();
      return istio;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The version the binaries report, e.g. {@code 1.31-dev}. */
  public String version() {
    return istioctl("version", "--remote=false").strip().replaceFirst("^client version: ", "");
  }

  /**
   * Installs revision {@code revision} and starts its istiod; returns once istiod is ready and has
   * put its CA into the injection webhook, so that the next pod is injected.
   */
  public void install(String revision) {
    if (istiods.containsKey(revision)) {
      throw new IllegalStateException("Istio revision " + revision + " is installed already");
    }
    try {
      Istiod istiod = Istiod.ports(revision, dir.resolve("istiod-" + revision));
      List<HasMetadata> rendered = render(revision, istiod);
      admin
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
          .serverSideApply();
      apply(rendered);
      istiod.environment(processEnvironment(rendered, revision));
      istiods.put(revision, istiod);
      start(revision);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install Istio revision " + revision, e);
    }
  }

  /** Stops the istiod process of {@code revision} (its webhook stays, and fails closed). */
  public void stop(String revision) {
    istiod(revision).stop();
  }

  /** Starts the istiod process of {@code revision} again on the same ports. */
  public void start(String revision) {
    Istiod istiod = istiod(revision);
    istiod.start(programs.resolve("pilot-discovery"), cluster.kubeconfig());
    await("istiod " + revision + " puts its CA into its injection webhook")
        .atMost(READY)
        .until(() -> caBundlePatched(revision));
    LOG.info(
        "istiod {} ready in {} ms, {} MiB resident",
        revision,
        istiod.startup().toMillis(),
        istiod.rssMiB());
  }

  /** The resident memory of the istiod process of {@code revision} now, in MiB. */
  public long rssMiB(String revision) {
    return istiod(revision).rssMiB();
  }

  /** The revision whose istiod serves the injection webhook at {@code url}. */
  public String revisionServing(String url) {
    return istiods.entrySet().stream()
        .filter(e -> e.getValue().webhookUrl("/inject").toString().equals(url))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no istiod serves " + url));
  }

  /** {@code istioctl tag set TAG --revision REV --overwrite}, as a user runs it. */
  public void tagSet(String tag, String revision) {
    istioctl("tag", "set", tag, "--revision", revision, "--overwrite", "--skip-confirmation");
  }

  /** {@code istioctl tag remove TAG}, as a user runs it. */
  public void tagRemove(String tag) {
    istioctl("tag", "remove", tag, "--skip-confirmation");
  }

  /** Runs istioctl against this cluster; returns its standard output, fails with its output. */
  public String istioctl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(programs.resolve("istioctl").toString());
    command.addAll(List.of(args));
    command.add("--kubeconfig=" + cluster.kubeconfig());
    command.add("--istioNamespace=" + NAMESPACE);
    try {
      Path out = Files.createTempFile(dir, "istioctl-", ".out");
      Path err = Files.createTempFile(dir, "istioctl-", ".err");
      Process process =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("istioctl " + String.join(" ", args) + " hung");
      }
      String stdout = Files.readString(out);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "istioctl "
                + String.join(" ", args)
                + " exited "
                + process.exitValue()
                + ":\n"
                + stdout
                + Files.readString(err));
      }
      return stdout;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run istioctl", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running istioctl", e);
    }
  }

  private Istiod istiod(String revision) {
    Istiod istiod = istiods.get(revision);
    if (istiod == null) {
      throw new IllegalArgumentException("revision " + revision + " is not installed");
    }
    return istiod;
  }

  private List<HasMetadata> render(String revision, Istiod istiod) {
    String manifest =
        istioctl(
            "manifest",
            "generate",
            "--set",
            "profile=minimal",
            "--set",
            "revision=" + revision,
            "--set",
            "values.global.istioNamespace=" + NAMESPACE,
            "--set",
            "values.istiodRemote.injectionURL=" + istiod.webhookUrl("/inject"),
            "--set",
            "values.base.validationURL=" + istiod.webhookUrl("/validate"));
    try (InputStream in = new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8))) {
      return admin.load(in).items();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Applies the objects, CRDs first and awaited Established, so that the rest may use them. */
  private void apply(List<HasMetadata> objects) {
    List<HasMetadata> crds =
        objects.stream().filter(CustomResourceDefinition.class::isInstance).toList();
    crds.forEach(crd -> admin.resource(crd).forceConflicts().serverSideApply());
    crds.forEach(this::awaitEstablished);
    objects.stream()
        .filter(o -> !(o instanceof CustomResourceDefinition))
        .forEach(o -> admin.resource(o).forceConflicts().serverSideApply());
  }

  /** The CRDs, and the ValidatingAdmissionPolicy the Gateway API ships with them. */
  private void applyGatewayApiCrds() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(programs.resolve("gateway-api-crds"))) {
      files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    List<HasMetadata> objects = new ArrayList<>();
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        objects.addAll(admin.load(in).items());
      }
    }
    apply(objects);
  }

  private void awaitEstablished(HasMetadata crd) {
    await("CRD " + crd.getMetadata().getName() + " established")
        .atMost(READY)
        .until(
            () -> {
              CustomResourceDefinition current =
                  admin
                      .apiextensions()
                      .v1()
                      .customResourceDefinitions()
                      .withName(crd.getMetadata().getName())
                      .get();
              return current != null
                  && current.getStatus() != null
                  && current.getStatus().getConditions().stream()
                      .anyMatch(
                          c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
            });
  }

  /**
   * The environment the chart gives istiod's container, with the downward-API values a pod would
   * get, and what running out of the cluster needs: the certificate for 127.0.0.1 and the API
   * server from the kubeconfig.
   */
  private Map<String, String> processEnvironment(List<HasMetadata> rendered, String revision) {
    Deployment deployment =
        rendered.stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .filter(d -> d.getMetadata().getName().equals("istiod-" + revision))
            .findFirst()
            .orElseThrow(
                () -> new IllegalStateException("the chart rendered no istiod-" + revision));
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var :
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      if (var.getValue() != null) {
        env.put(var.getName(), var.getValue());
      }
    }
    env.put("POD_NAME", "istiod-" + revision + "-local");
    env.put("POD_NAMESPACE", NAMESPACE);
    env.put("SERVICE_ACCOUNT", "istiod-" + revision);
    env.put("ISTIOD_CUSTOM_HOST", "127.0.0.1");
    env.put("PILOT_CERT_PROVIDER", "istiod");
    env.put("PILOT_ENABLE_AMBIENT", "true");
    return env;
  }

  private boolean caBundlePatched(String revision) {
    MutatingWebhookConfiguration webhook =
        admin
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName("istio-sidecar-injector-" + revision)
            .get();
    return webhook != null
        && webhook.getWebhooks().stream()
            .map(MutatingWebhook::getClientConfig)
            .allMatch(c -> c.getCaBundle() != null && !c.getCaBundle().isEmpty());
  }

  @Override
  public void close() {
    istiods.values().forEach(Istiod::stop);
    try {
      LocalProcesses.deleteTree(dir);
    } catch (IOException e) {
      // a leftover temporary directory is not worth failing a test for
    }
  }
}
