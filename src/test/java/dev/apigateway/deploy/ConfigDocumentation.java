package dev.apigateway.deploy;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings tables of CONFIG.md: rows {@code | `NAME` | `spring.property` | `default` | range | meaning |}.
 * A default written {@code (empty)} is the empty string.
 */
final class ConfigDocumentation {

    static final String CONFIG_MD = "CONFIG.md";

    private static final Pattern CODE = Pattern.compile("`([^`]*)`");
    private static final Pattern NAME_CELL = Pattern.compile("`([A-Z][A-Z0-9_]*)`");

    record Row(String name, Set<String> properties, String defaultValue) {
    }

    private ConfigDocumentation() {
    }

    static Map<String, Row> rows() {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : Repo.read(CONFIG_MD).split("\n")) {
            if (!line.startsWith("|")) {
                continue;
            }
            String[] cells = line.split("\\|", -1);
            if (cells.length < 5) {
                continue;
            }
            Matcher name = NAME_CELL.matcher(cells[1].trim());
            if (!name.matches()) {
                continue;
            }
            Set<String> properties = new LinkedHashSet<>();
            Matcher property = CODE.matcher(cells[2]);
            while (property.find()) {
                properties.add(property.group(1));
            }
            Row previous = rows.put(name.group(1), new Row(name.group(1), properties, defaultCell(cells[3])));
            if (previous != null) {
                throw new IllegalStateException(CONFIG_MD + " has two rows for " + name.group(1));
            }
        }
        return rows;
    }

    private static String defaultCell(String cell) {
        Matcher code = CODE.matcher(cell);
        if (code.find()) {
            return code.group(1);
        }
        return cell.contains("(empty)") ? "" : null;
    }
}
