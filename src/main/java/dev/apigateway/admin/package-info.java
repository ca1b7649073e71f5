/**
 * The management port: what an operator reaches there (the actuator, the route-file view), the bearer token that
 * guards its state-changing operations, and the start-up check that keeps it off the public port.
 */
package dev.apigateway.admin;
