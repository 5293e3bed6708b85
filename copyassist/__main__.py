from copyassist.cli import main

main()
