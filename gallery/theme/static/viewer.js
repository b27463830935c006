/* Optional enhancement: the gallery works fully without this script. */
