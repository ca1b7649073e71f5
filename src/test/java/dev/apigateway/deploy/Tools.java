package dev.apigateway.deploy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Command-line validators (promtool, kubectl), used when installed and skipped otherwise. */
public final class Tools {

    public record Result(int exitCode, String output) {
    }

    private Tools() {
    }

    public static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(File.pathSeparator))
                .map(dir -> Path.of(dir, command))
                .anyMatch(Files::isExecutable);
    }

    /** Runs a command in the repository root; stdout and stderr together. */
    public static Result run(List<String> command, long timeout, TimeUnit unit) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command)
                .directory(Repo.root().toFile())
                .redirectErrorStream(true)
                .start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeout, unit)) {
            process.destroyForcibly();
            throw new IllegalStateException(command + " did not finish in " + timeout + " " + unit);
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
