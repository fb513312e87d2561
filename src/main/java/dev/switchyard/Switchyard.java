package dev.switchyard; public final class Switchyard { public static void main(String[] a){} }
